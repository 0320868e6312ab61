namespace Ama.Cryptography.Interop;

/// <summary>
/// libsodium's detached AEAD calls, each made through <see cref="ScrubbedCall"/>: the key, its schedule and
/// the keystream never stay in registers or dead stack after the call returns.
/// </summary>
internal static unsafe partial class Sodium
{
    /// <summary>int crypto_aead_aes256gcm_beforenm(crypto_aead_aes256gcm_state *state, const unsigned char *k).</summary>
    internal static int crypto_aead_aes256gcm_beforenm(byte* state, byte* key) =>
        ScrubbedCall.InvokeForInt(SodiumExports.Aes256GcmBeforeNm, ScrubDepth.Aes256Gcm, (nint)state, (nint)key);

    /// <summary>int crypto_aead_aes256gcm_encrypt_detached_afternm(c, mac, maclen_p, m, mlen, ad, adlen, nsec, npub, state).</summary>
    internal static int crypto_aead_aes256gcm_encrypt_detached_afternm(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* state) =>
        ScrubbedCall.InvokeForInt(SodiumExports.Aes256GcmEncryptAfterNm, ScrubDepth.For(ScrubDepth.Aes256Gcm, mlen + adlen), (nint)c, (nint)mac, (nint)maclen_p, (nint)m, (nint)mlen, (nint)ad, (nint)adlen, (nint)nsec, (nint)npub, (nint)state);

    /// <summary>int crypto_aead_aes256gcm_decrypt_detached_afternm(m, nsec, c, clen, mac, ad, adlen, npub, state): 0, or -1 when the tag does not match.</summary>
    internal static int crypto_aead_aes256gcm_decrypt_detached_afternm(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* state) =>
        ScrubbedCall.InvokeForInt(SodiumExports.Aes256GcmDecryptAfterNm, ScrubDepth.For(ScrubDepth.Aes256GcmDecrypt, clen + adlen), (nint)m, (nint)nsec, (nint)c, (nint)clen, (nint)mac, (nint)ad, (nint)adlen, (nint)npub, (nint)state);

    /// <summary>int crypto_aead_chacha20poly1305_ietf_encrypt_detached(c, mac, maclen_p, m, mlen, ad, adlen, nsec, npub, k).</summary>
    internal static int crypto_aead_chacha20poly1305_ietf_encrypt_detached(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k) =>
        ScrubbedCall.InvokeForInt(SodiumExports.ChaCha20Poly1305Encrypt, ScrubDepth.For(ScrubDepth.ChaCha20Poly1305, mlen + adlen), (nint)c, (nint)mac, (nint)maclen_p, (nint)m, (nint)mlen, (nint)ad, (nint)adlen, (nint)nsec, (nint)npub, (nint)k);

    /// <summary>int crypto_aead_chacha20poly1305_ietf_decrypt_detached(m, nsec, c, clen, mac, ad, adlen, npub, k): 0, or -1 when the tag does not match.</summary>
    internal static int crypto_aead_chacha20poly1305_ietf_decrypt_detached(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k) =>
        ScrubbedCall.InvokeForInt(SodiumExports.ChaCha20Poly1305Decrypt, ScrubDepth.For(ScrubDepth.ChaCha20Poly1305, clen + adlen), (nint)m, (nint)nsec, (nint)c, (nint)clen, (nint)mac, (nint)ad, (nint)adlen, (nint)npub, (nint)k);

    /// <summary>int crypto_aead_xchacha20poly1305_ietf_encrypt_detached(...): as the IETF ChaCha20 call, with a 24-byte nonce.</summary>
    internal static int crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k) =>
        ScrubbedCall.InvokeForInt(SodiumExports.XChaCha20Poly1305Encrypt, ScrubDepth.For(ScrubDepth.ChaCha20Poly1305, mlen + adlen), (nint)c, (nint)mac, (nint)maclen_p, (nint)m, (nint)mlen, (nint)ad, (nint)adlen, (nint)nsec, (nint)npub, (nint)k);

    /// <summary>int crypto_aead_xchacha20poly1305_ietf_decrypt_detached(...): 0, or -1 when the tag does not match.</summary>
    internal static int crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k) =>
        ScrubbedCall.InvokeForInt(SodiumExports.XChaCha20Poly1305Decrypt, ScrubDepth.For(ScrubDepth.ChaCha20Poly1305, clen + adlen), (nint)m, (nint)nsec, (nint)c, (nint)clen, (nint)mac, (nint)ad, (nint)adlen, (nint)npub, (nint)k);

    /// <summary>int crypto_aead_aegis256_encrypt_detached(c, mac, maclen_p, m, mlen, ad, adlen, nsec, npub, k): a 32-byte nonce and key, a 32-byte tag.</summary>
    internal static int crypto_aead_aegis256_encrypt_detached(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k) =>
        ScrubbedCall.InvokeForInt(SodiumExports.Aegis256Encrypt, ScrubDepth.For(ScrubDepth.Aegis, mlen + adlen, ScrubDepth.LongAegisInput), (nint)c, (nint)mac, (nint)maclen_p, (nint)m, (nint)mlen, (nint)ad, (nint)adlen, (nint)nsec, (nint)npub, (nint)k);

    /// <summary>int crypto_aead_aegis256_decrypt_detached(m, nsec, c, clen, mac, ad, adlen, npub, k): 0, or -1 when the tag does not match.</summary>
    internal static int crypto_aead_aegis256_decrypt_detached(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k) =>
        ScrubbedCall.InvokeForInt(SodiumExports.Aegis256Decrypt, ScrubDepth.For(ScrubDepth.Aegis, clen + adlen, ScrubDepth.LongAegisInput), (nint)m, (nint)nsec, (nint)c, (nint)clen, (nint)mac, (nint)ad, (nint)adlen, (nint)npub, (nint)k);

    /// <summary>int crypto_aead_aegis128l_encrypt_detached(...): as the AEGIS-256 call, with a 16-byte nonce and key.</summary>
    internal static int crypto_aead_aegis128l_encrypt_detached(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k) =>
        ScrubbedCall.InvokeForInt(SodiumExports.Aegis128LEncrypt, ScrubDepth.For(ScrubDepth.Aegis, mlen + adlen, ScrubDepth.LongAegisInput), (nint)c, (nint)mac, (nint)maclen_p, (nint)m, (nint)mlen, (nint)ad, (nint)adlen, (nint)nsec, (nint)npub, (nint)k);

    /// <summary>int crypto_aead_aegis128l_decrypt_detached(...): 0, or -1 when the tag does not match.</summary>
    internal static int crypto_aead_aegis128l_decrypt_detached(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k) =>
        ScrubbedCall.InvokeForInt(SodiumExports.Aegis128LDecrypt, ScrubDepth.For(ScrubDepth.Aegis, clen + adlen, ScrubDepth.LongAegisInput), (nint)m, (nint)nsec, (nint)c, (nint)clen, (nint)mac, (nint)ad, (nint)adlen, (nint)npub, (nint)k);
}
