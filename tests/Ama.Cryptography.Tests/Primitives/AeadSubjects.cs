using System.Security.Cryptography;
using NSec.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>The secure AEADs behind one test-side shape, each with the peer it must agree with.</summary>
public abstract class AeadSubject : IDisposable
{
    public const string AesGcm = "AES-256-GCM";
    public const string ChaCha = "ChaCha20-Poly1305";
    public const string XChaCha = "XChaCha20-Poly1305";
    public const string Aegis256 = "AEGIS-256";
    public const string Aegis128L = "AEGIS-128L";

    public static TheoryData<string> All => [AesGcm, ChaCha, XChaCha, Aegis256, Aegis128L];

    public int NonceSize => NonceSizeOf(Algorithm);

    public int KeySize => KeySizeOf(Algorithm);

    public int TagSize => TagSizeOf(Algorithm);

    protected abstract string Algorithm { get; }

    public static int NonceSizeOf(string algorithm) => algorithm switch
    {
        XChaCha => 24,
        Aegis256 => 32,
        Aegis128L => 16,
        _ => 12,
    };

    public static int KeySizeOf(string algorithm) => algorithm == Aegis128L ? 16 : 32;

    public static int TagSizeOf(string algorithm) => algorithm is Aegis256 or Aegis128L ? 32 : 16;

    /// <summary>NSec's algorithm for the peers that are NSec's: XChaCha20-Poly1305 and both AEGIS variants.</summary>
    private static AeadAlgorithm NSecAlgorithm(string algorithm) => algorithm switch
    {
        Aegis256 => AeadAlgorithm.Aegis256,
        Aegis128L => AeadAlgorithm.Aegis128L,
        _ => AeadAlgorithm.XChaCha20Poly1305,
    };

    public static AeadSubject Create(string algorithm, ReadOnlySpan<byte> key) => algorithm switch
    {
        AesGcm => new Subject<SecureAesGcm>(new SecureAesGcm(key), algorithm),
        ChaCha => new Subject<SecureChaCha20Poly1305>(new SecureChaCha20Poly1305(key), algorithm),
        XChaCha => new Subject<SecureXChaCha20Poly1305>(new SecureXChaCha20Poly1305(key), algorithm),
        Aegis256 => new Subject<SecureAegis256>(new SecureAegis256(key), algorithm),
        Aegis128L => new Subject<SecureAegis128L>(new SecureAegis128L(key), algorithm),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    public static AeadSubject Create(string algorithm, SecureBuffer key) => algorithm switch
    {
        AesGcm => new Subject<SecureAesGcm>(new SecureAesGcm(key), algorithm),
        ChaCha => new Subject<SecureChaCha20Poly1305>(new SecureChaCha20Poly1305(key), algorithm),
        XChaCha => new Subject<SecureXChaCha20Poly1305>(new SecureXChaCha20Poly1305(key), algorithm),
        Aegis256 => new Subject<SecureAegis256>(new SecureAegis256(key), algorithm),
        Aegis128L => new Subject<SecureAegis128L>(new SecureAegis128L(key), algorithm),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>The peer's ciphertext and tag: BCL AesGcm and ChaCha20Poly1305, NSec XChaCha20Poly1305, Aegis256 and Aegis128L.</summary>
    public static void ReferenceEncrypt(string algorithm, byte[] key, byte[] nonce, byte[] plaintext, byte[] ciphertext, byte[] tag, byte[] associatedData)
    {
        switch (algorithm)
        {
            case AesGcm:
                using (var aes = new System.Security.Cryptography.AesGcm(key, 16))
                {
                    aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
                }

                break;
            case ChaCha:
                using (var chacha = new System.Security.Cryptography.ChaCha20Poly1305(key))
                {
                    chacha.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
                }

                break;
            default:
                using (var nsecKey = Key.Import(NSecAlgorithm(algorithm), key, KeyBlobFormat.RawSymmetricKey))
                {
                    byte[] sealedBytes = NSecAlgorithm(algorithm).Encrypt(nsecKey, nonce, associatedData, plaintext);
                    sealedBytes.AsSpan(0, plaintext.Length).CopyTo(ciphertext);
                    sealedBytes.AsSpan(plaintext.Length).CopyTo(tag);
                }

                break;
        }
    }

    /// <summary>Whether the peer accepts the ciphertext and tag.</summary>
    public static byte[]? ReferenceDecrypt(string algorithm, byte[] key, byte[] nonce, byte[] ciphertext, byte[] tag, byte[] associatedData)
    {
        byte[] plaintext = new byte[ciphertext.Length];
        try
        {
            switch (algorithm)
            {
                case AesGcm:
                    using (var aes = new System.Security.Cryptography.AesGcm(key, 16))
                    {
                        aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
                    }

                    return plaintext;
                case ChaCha:
                    using (var chacha = new System.Security.Cryptography.ChaCha20Poly1305(key))
                    {
                        chacha.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
                    }

                    return plaintext;
                default:
                    using (var nsecKey = Key.Import(NSecAlgorithm(algorithm), key, KeyBlobFormat.RawSymmetricKey))
                    {
                        return NSecAlgorithm(algorithm).Decrypt(nsecKey, nonce, associatedData, [.. ciphertext, .. tag]);
                    }
            }
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    public abstract void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData = default);

    public abstract void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData = default);

    public abstract SecureBuffer DecryptToSecureBuffer(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData = default);

    public abstract void Dispose();

    private sealed class Subject<T>(T aead, string algorithm) : AeadSubject
        where T : IDisposable
    {
        protected override string Algorithm => algorithm;

        public override void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData = default)
        {
            switch (aead)
            {
                case SecureAesGcm a: a.Encrypt(nonce, plaintext, ciphertext, tag, associatedData); break;
                case SecureChaCha20Poly1305 c: c.Encrypt(nonce, plaintext, ciphertext, tag, associatedData); break;
                case SecureXChaCha20Poly1305 x: x.Encrypt(nonce, plaintext, ciphertext, tag, associatedData); break;
                case SecureAegis256 g: g.Encrypt(nonce, plaintext, ciphertext, tag, associatedData); break;
                case SecureAegis128L l: l.Encrypt(nonce, plaintext, ciphertext, tag, associatedData); break;
            }
        }

        public override void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData = default)
        {
            switch (aead)
            {
                case SecureAesGcm a: a.Decrypt(nonce, ciphertext, tag, plaintext, associatedData); break;
                case SecureChaCha20Poly1305 c: c.Decrypt(nonce, ciphertext, tag, plaintext, associatedData); break;
                case SecureXChaCha20Poly1305 x: x.Decrypt(nonce, ciphertext, tag, plaintext, associatedData); break;
                case SecureAegis256 g: g.Decrypt(nonce, ciphertext, tag, plaintext, associatedData); break;
                case SecureAegis128L l: l.Decrypt(nonce, ciphertext, tag, plaintext, associatedData); break;
            }
        }

        public override SecureBuffer DecryptToSecureBuffer(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData = default) => aead switch
        {
            SecureAesGcm a => a.DecryptToSecureBuffer(nonce, ciphertext, tag, associatedData),
            SecureChaCha20Poly1305 c => c.DecryptToSecureBuffer(nonce, ciphertext, tag, associatedData),
            SecureXChaCha20Poly1305 x => x.DecryptToSecureBuffer(nonce, ciphertext, tag, associatedData),
            SecureAegis256 g => g.DecryptToSecureBuffer(nonce, ciphertext, tag, associatedData),
            SecureAegis128L l => l.DecryptToSecureBuffer(nonce, ciphertext, tag, associatedData),
            _ => throw new InvalidOperationException(),
        };

        public override void Dispose() => aead.Dispose();
    }
}
