using Ama.Cryptography.Interop;
using Ama.Cryptography.Primitives;

namespace Ama.Cryptography.Tests.Scrubbing;

/// <summary>Every kind of key-bearing native call the library makes, with arguments laid out in one scratch area.</summary>
public static unsafe class KeyBearingCalls
{
    public static readonly string[] Names =
    [
        "aes256gcm-beforenm", "aes256gcm-encrypt-64", "aes256gcm-encrypt-16k", "aes256gcm-decrypt-16k",
        "chacha20poly1305-encrypt-64", "chacha20poly1305-encrypt-65", "chacha20poly1305-encrypt-16k",
        "xchacha20poly1305-encrypt-65", "xchacha20poly1305-decrypt-16k",
        "aegis256-encrypt-64", "aegis256-encrypt-65", "aegis256-encrypt-16k", "aegis256-decrypt-65", "aegis256-decrypt-16k",
        "aegis128l-encrypt-64", "aegis128l-encrypt-65", "aegis128l-encrypt-16k", "aegis128l-decrypt-65", "aegis128l-decrypt-16k",
        "ed25519-seed-keypair", "ed25519-sign-64", "ed25519-sign-16k",
        "x25519-base", "x25519-derive", "randombytes-32",
        "sha256-update-16k", "sha256-final", "sha512-update-16k", "sha512-final",
    ];

    /// <summary>Builds the case <paramref name="name"/> over <paramref name="scratch"/> (at least 4 × <paramref name="length"/> bytes).</summary>
    public static KeyCall Get(string name, byte* scratch, int length)
    {
        byte* key = scratch;                 // 32-byte keys, seeds and scalars; the AES state after them
        byte* state = scratch + 64;          // 512 bytes for an AES state, an Ed25519 secret key or a SHA context
        byte* small = scratch + 1024;        // nonces, tags, public keys, hashes
        byte* input = scratch + length;
        byte* output = scratch + (2 * length);
        new Span<byte>(key, 32).Fill(0x42);
        // A length that is not a whole number of blocks takes libsodium through its partial-block paths (deeper for ChaCha20).
        int n = name.EndsWith("-64", StringComparison.Ordinal) ? 64 : name.EndsWith("-65", StringComparison.Ordinal) ? 65 : name.EndsWith("-32", StringComparison.Ordinal) ? 32 : length;
        SodiumLibrary.EnsureInitialized();
        ShaFunction sha256 = ShaFunction.For(System.Security.Cryptography.HashAlgorithmName.SHA256, "h", "t");
        ShaFunction sha512 = ShaFunction.For(System.Security.Cryptography.HashAlgorithmName.SHA512, "h", "t");
        return name switch
        {
            "aes256gcm-beforenm" => new(ScrubDepth.Aes256Gcm, () => { }, d => ScrubbedCall.Invoke(SodiumExports.Aes256GcmBeforeNm, d, (nint)state, (nint)key)),
            "aes256gcm-encrypt-64" or "aes256gcm-encrypt-16k" => new(ScrubDepth.Aes256Gcm, () => Sodium.crypto_aead_aes256gcm_beforenm(state, key),
                d => ScrubbedCall.Invoke(SodiumExports.Aes256GcmEncryptAfterNm, d, (nint)output, (nint)small, 0, (nint)input, n, 0, 0, 0, (nint)(small + 64), (nint)state)),
            "aes256gcm-decrypt-16k" => new(ScrubDepth.Aes256GcmDecrypt, () => Sodium.crypto_aead_aes256gcm_beforenm(state, key),
                d => ScrubbedCall.Invoke(SodiumExports.Aes256GcmDecryptAfterNm, d, (nint)output, 0, (nint)input, n, (nint)small, 0, 0, (nint)(small + 64), (nint)state)),
            "chacha20poly1305-encrypt-64" or "chacha20poly1305-encrypt-65" or "chacha20poly1305-encrypt-16k" => new(ScrubDepth.ChaCha20Poly1305, () => { },
                d => ScrubbedCall.Invoke(SodiumExports.ChaCha20Poly1305Encrypt, d, (nint)output, (nint)small, 0, (nint)input, n, 0, 0, 0, (nint)(small + 64), (nint)key)),
            "xchacha20poly1305-encrypt-65" => new(ScrubDepth.ChaCha20Poly1305, () => { },
                d => ScrubbedCall.Invoke(SodiumExports.XChaCha20Poly1305Encrypt, d, (nint)output, (nint)small, 0, (nint)input, n, 0, 0, 0, (nint)(small + 64), (nint)key)),
            "xchacha20poly1305-decrypt-16k" => new(ScrubDepth.ChaCha20Poly1305, () => { },
                d => ScrubbedCall.Invoke(SodiumExports.XChaCha20Poly1305Decrypt, d, (nint)output, 0, (nint)input, n, (nint)small, 0, 0, (nint)(small + 64), (nint)key)),
            "aegis256-encrypt-64" or "aegis256-encrypt-65" or "aegis256-encrypt-16k" => Aegis(SodiumExports.Aegis256Encrypt, encrypt: true, key, small, input, output, n),
            "aegis256-decrypt-65" or "aegis256-decrypt-16k" => Aegis(SodiumExports.Aegis256Decrypt, encrypt: false, key, small, input, output, n),
            "aegis128l-encrypt-64" or "aegis128l-encrypt-65" or "aegis128l-encrypt-16k" => Aegis(SodiumExports.Aegis128LEncrypt, encrypt: true, key, small, input, output, n),
            "aegis128l-decrypt-65" or "aegis128l-decrypt-16k" => Aegis(SodiumExports.Aegis128LDecrypt, encrypt: false, key, small, input, output, n),
            "ed25519-seed-keypair" => new(ScrubDepth.Ed25519, () => { }, d => ScrubbedCall.Invoke(SodiumExports.SignSeedKeyPair, d, (nint)small, (nint)state, (nint)key)),
            "ed25519-sign-64" or "ed25519-sign-16k" => new(ScrubDepth.Ed25519, () => Sodium.crypto_sign_seed_keypair(small, state, key),
                d => ScrubbedCall.Invoke(SodiumExports.SignDetached, d, (nint)output, 0, (nint)input, n, (nint)state)),
            "x25519-base" => new(ScrubDepth.X25519, () => { }, d => ScrubbedCall.Invoke(SodiumExports.ScalarMultBase, d, (nint)small, (nint)key)),
            "x25519-derive" => new(ScrubDepth.X25519, () => Sodium.crypto_scalarmult_base(small + 64, key),
                d => ScrubbedCall.Invoke(SodiumExports.ScalarMult, d, (nint)small, (nint)key, (nint)(small + 64))),
            "randombytes-32" => new(ScrubDepth.RandomBytes, () => { }, d => ScrubbedCall.Invoke(SodiumExports.RandomBytes, d, (nint)output, n)),
            "sha256-update-16k" => Sha(sha256, state, input, small, n, final: false),
            "sha256-final" => Sha(sha256, state, input, small, 3, final: true),
            "sha512-update-16k" => Sha(sha512, state, input, small, n, final: false),
            "sha512-final" => Sha(sha512, state, input, small, 3, final: true),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
        };
    }

    /// <summary>A call of a function that is only <c>ret</c>: what the harness and the stub write themselves.</summary>
    public static KeyCall DoNothing()
    {
        void* ret = Assembler.MapExecutable([0xC3]);
        return new(0, () => { }, d => ScrubbedCall.Invoke(ret, d));
    }

    /// <summary>An AEGIS call: the 32-byte tag at <paramref name="small"/>, the nonce 64 bytes after it. A decrypt checks the (zero) tag only after decrypting the whole input.</summary>
    private static KeyCall Aegis(void* function, bool encrypt, byte* key, byte* small, byte* input, byte* output, int length) => encrypt
        ? new(ScrubDepth.Aegis, () => { }, d => ScrubbedCall.Invoke(function, d, (nint)output, (nint)small, 0, (nint)input, length, 0, 0, 0, (nint)(small + 64), (nint)key))
        : new(ScrubDepth.Aegis, () => { }, d => ScrubbedCall.Invoke(function, d, (nint)output, 0, (nint)input, length, (nint)small, 0, 0, (nint)(small + 64), (nint)key));

    private static KeyCall Sha(ShaFunction sha, byte* context, byte* input, byte* hash, int length, bool final) => final
        ? new(sha.StackDepth, () => sha.Run([sha.Init(context), sha.Update(context, input, length)]), d => Run(sha.Final(hash, context), d))
        : new(sha.StackDepth, () => sha.Run([sha.Init(context)]), d => Run(sha.Update(context, input, length), d));

    private static nint Run(NativeCall call, nuint depth) => ScrubbedCall.Run(&call, 1, depth);

    /// <summary>One call: <see cref="Prepare"/> sets up its inputs, <see cref="Run"/> makes it with a given scrub depth.</summary>
    public sealed class KeyCall(nuint scrubbedDepth, Action prepare, Func<nuint, nint> run)
    {
        public nuint ScrubbedDepth => scrubbedDepth;

        public void Prepare() => prepare();

        public nint Run(nuint depth) => run(depth);
    }
}
