using System.Security.Cryptography;
using NSec.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>The three secure AEADs behind one test-side shape, each with the peer it must agree with.</summary>
public abstract class AeadSubject : IDisposable
{
    public const string AesGcm = "AES-256-GCM";
    public const string ChaCha = "ChaCha20-Poly1305";
    public const string XChaCha = "XChaCha20-Poly1305";

    public static TheoryData<string> All => [AesGcm, ChaCha, XChaCha];

    public abstract int NonceSize { get; }

    public static int NonceSizeOf(string algorithm) => algorithm == XChaCha ? 24 : 12;

    public static AeadSubject Create(string algorithm, ReadOnlySpan<byte> key) => algorithm switch
    {
        AesGcm => new Subject<SecureAesGcm>(new SecureAesGcm(key), 12),
        ChaCha => new Subject<SecureChaCha20Poly1305>(new SecureChaCha20Poly1305(key), 12),
        XChaCha => new Subject<SecureXChaCha20Poly1305>(new SecureXChaCha20Poly1305(key), 24),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    public static AeadSubject Create(string algorithm, SecureBuffer key) => algorithm switch
    {
        AesGcm => new Subject<SecureAesGcm>(new SecureAesGcm(key), 12),
        ChaCha => new Subject<SecureChaCha20Poly1305>(new SecureChaCha20Poly1305(key), 12),
        XChaCha => new Subject<SecureXChaCha20Poly1305>(new SecureXChaCha20Poly1305(key), 24),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>The peer's ciphertext and tag: BCL AesGcm and ChaCha20Poly1305, NSec XChaCha20Poly1305.</summary>
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
                using (var nsecKey = Key.Import(AeadAlgorithm.XChaCha20Poly1305, key, KeyBlobFormat.RawSymmetricKey))
                {
                    byte[] sealedBytes = AeadAlgorithm.XChaCha20Poly1305.Encrypt(nsecKey, nonce, associatedData, plaintext);
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
                    using (var nsecKey = Key.Import(AeadAlgorithm.XChaCha20Poly1305, key, KeyBlobFormat.RawSymmetricKey))
                    {
                        return AeadAlgorithm.XChaCha20Poly1305.Decrypt(nsecKey, nonce, associatedData, [.. ciphertext, .. tag]);
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

    private sealed class Subject<T>(T aead, int nonceSize) : AeadSubject
        where T : IDisposable
    {
        public override int NonceSize => nonceSize;

        public override void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData = default)
        {
            switch (aead)
            {
                case SecureAesGcm a: a.Encrypt(nonce, plaintext, ciphertext, tag, associatedData); break;
                case SecureChaCha20Poly1305 c: c.Encrypt(nonce, plaintext, ciphertext, tag, associatedData); break;
                case SecureXChaCha20Poly1305 x: x.Encrypt(nonce, plaintext, ciphertext, tag, associatedData); break;
            }
        }

        public override void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData = default)
        {
            switch (aead)
            {
                case SecureAesGcm a: a.Decrypt(nonce, ciphertext, tag, plaintext, associatedData); break;
                case SecureChaCha20Poly1305 c: c.Decrypt(nonce, ciphertext, tag, plaintext, associatedData); break;
                case SecureXChaCha20Poly1305 x: x.Decrypt(nonce, ciphertext, tag, plaintext, associatedData); break;
            }
        }

        public override SecureBuffer DecryptToSecureBuffer(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData = default) => aead switch
        {
            SecureAesGcm a => a.DecryptToSecureBuffer(nonce, ciphertext, tag, associatedData),
            SecureChaCha20Poly1305 c => c.DecryptToSecureBuffer(nonce, ciphertext, tag, associatedData),
            SecureXChaCha20Poly1305 x => x.DecryptToSecureBuffer(nonce, ciphertext, tag, associatedData),
            _ => throw new InvalidOperationException(),
        };

        public override void Dispose() => aead.Dispose();
    }
}
