using System.Runtime.InteropServices;

namespace Ama.Cryptography.Interop;

/// <summary>
/// The addresses of libsodium's key-bearing functions, for <see cref="ScrubbedCall"/>. Resolved from the same
/// library the [LibraryImport] declarations bind (the package's runtimes/&lt;rid&gt;/native), on first use,
/// which comes after <c>sodium_init</c> has succeeded.
/// </summary>
internal static unsafe class SodiumExports
{
    private static readonly nint Library = NativeLibrary.Load("libsodium", typeof(SodiumExports).Assembly, null);

    internal static readonly void* Aes256GcmBeforeNm = Export("crypto_aead_aes256gcm_beforenm");
    internal static readonly void* Aes256GcmEncryptAfterNm = Export("crypto_aead_aes256gcm_encrypt_detached_afternm");
    internal static readonly void* Aes256GcmDecryptAfterNm = Export("crypto_aead_aes256gcm_decrypt_detached_afternm");
    internal static readonly void* ChaCha20Poly1305Encrypt = Export("crypto_aead_chacha20poly1305_ietf_encrypt_detached");
    internal static readonly void* ChaCha20Poly1305Decrypt = Export("crypto_aead_chacha20poly1305_ietf_decrypt_detached");
    internal static readonly void* XChaCha20Poly1305Encrypt = Export("crypto_aead_xchacha20poly1305_ietf_encrypt_detached");
    internal static readonly void* XChaCha20Poly1305Decrypt = Export("crypto_aead_xchacha20poly1305_ietf_decrypt_detached");
    internal static readonly void* Aegis256Encrypt = Export("crypto_aead_aegis256_encrypt_detached");
    internal static readonly void* Aegis256Decrypt = Export("crypto_aead_aegis256_decrypt_detached");
    internal static readonly void* Aegis128LEncrypt = Export("crypto_aead_aegis128l_encrypt_detached");
    internal static readonly void* Aegis128LDecrypt = Export("crypto_aead_aegis128l_decrypt_detached");
    internal static readonly void* SignSeedKeyPair = Export("crypto_sign_seed_keypair");
    internal static readonly void* SignDetached = Export("crypto_sign_detached");
    internal static readonly void* ScalarMultBase = Export("crypto_scalarmult_base");
    internal static readonly void* ScalarMult = Export("crypto_scalarmult");
    internal static readonly void* RandomBytes = Export("randombytes_buf");

    // dlsym on a library's handle also searches the libraries it depends on: this is the C library's memcpy.
    internal static readonly void* MemCopy = Export("memcpy");

    private static void* Export(string name) => (void*)NativeLibrary.GetExport(Library, name);
}
