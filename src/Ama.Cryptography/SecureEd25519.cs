using System.Security.Cryptography;
using Ama.Cryptography.Interop;
using Ama.Cryptography.Primitives;

namespace Ama.Cryptography;

/// <summary>
/// An Ed25519 signing key (RFC 8032) whose private half lives only in secure memory: out of every dump,
/// locked into RAM and zeroed on <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// <para>
/// The key is held as libsodium's 64-byte secret key (the 32-byte seed followed by the public key) in
/// memory from the library's allocator. libsodium recomputes the expanded secret scalar
/// (clamp(SHA-512(seed)[0..32])) and the per-signature nonce on its own stack for each signature and
/// wipes both before it returns; the library also clears the stack area below each call (8 KiB).
/// </para>
/// <para>
/// Instances may sign from several threads at once. A <see cref="Dispose"/> during a signature returns at once; the key is zeroed and freed when that signature completes.
/// </para>
/// </remarks>
public sealed unsafe class SecureEd25519 : IDisposable
{
    /// <summary>The size of a seed (the private key), in bytes.</summary>
    public const int SeedSize = 32;

    /// <summary>The size of a public key, in bytes.</summary>
    public const int PublicKeySize = 32;

    /// <summary>The size of a signature, in bytes.</summary>
    public const int SignatureSize = 64;

    private const int SecretKeySize = 64;

    private readonly SecretKeyMemory secretKey;
    private readonly byte[] publicKey;

    private SecureEd25519(SecretKeyMemory secretKey, byte[] publicKey)
    {
        this.secretKey = secretKey;
        this.publicKey = publicKey;
    }

    /// <summary>
    /// Gets the 32-byte public key. It is a read-only view of the object's own copy, so reading it
    /// allocates nothing and the caller cannot change it; call <c>ToArray()</c> to keep it.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public ReadOnlySpan<byte> PublicKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(secretKey.IsDisposed, this);
            return publicKey;
        }
    }

    /// <summary>Creates a key from a random seed that libsodium writes straight into secure memory.</summary>
    /// <returns>A new key; the caller disposes it.</returns>
    public static SecureEd25519 Generate()
    {
        using var seed = new SecretKeyMemory(SeedSize);
        byte* s = seed.Acquire(seed);
        try
        {
            Sodium.randombytes_buf(s, SeedSize);
            return Create(s);
        }
        finally
        {
            seed.Release();
        }
    }

    /// <summary>Creates a key from a 32-byte seed, which is copied; the caller may wipe its span afterwards.</summary>
    /// <param name="seed">The RFC 8032 private key.</param>
    /// <returns>A new key; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="seed"/> is not 32 bytes long.</exception>
    public static SecureEd25519 FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize)
        {
            throw Error.WrongKeyLength(nameof(seed), "Ed25519 seed", SeedSize, seed.Length);
        }

        fixed (byte* s = seed)
        {
            return Create(s);
        }
    }

    /// <summary>Creates a key from a seed held in a <see cref="SecureBuffer"/>; the key keeps its own copy, so the caller may dispose the buffer.</summary>
    /// <param name="seed">A buffer of exactly 32 bytes.</param>
    /// <returns>A new key; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="seed"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="seed"/> is not 32 bytes long.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="seed"/> has been disposed.</exception>
    public static SecureEd25519 FromSeed(SecureBuffer seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        return FromSeed(seed.Span);
    }

    /// <summary>Signs <paramref name="data"/> (pure Ed25519, no context, no prehash).</summary>
    /// <param name="data">The message.</param>
    /// <param name="signature">Receives the 64-byte signature in its first 64 bytes.</param>
    /// <returns>The number of bytes written: 64.</returns>
    /// <exception cref="ArgumentException"><paramref name="signature"/> is shorter than 64 bytes.</exception>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public int Sign(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        if (signature.Length < SignatureSize)
        {
            throw Error.DestinationTooShort(nameof(signature), SignatureSize, signature.Length);
        }

        byte* sk = secretKey.Acquire(this);
        try
        {
            fixed (byte* m = data, sig = signature)
            {
                if (Sodium.crypto_sign_detached(sig, null, m, (ulong)data.Length, sk) != 0)
                {
                    throw Error.SodiumCurveFailed("crypto_sign_detached");
                }
            }
        }
        finally
        {
            secretKey.Release();
        }

        return SignatureSize;
    }

    /// <summary>
    /// Checks an Ed25519 signature in libsodium's strict mode: a non-canonical S, a non-canonical or
    /// small-order R or public key is rejected.
    /// </summary>
    /// <param name="publicKey">The signer's 32-byte public key.</param>
    /// <param name="data">The message.</param>
    /// <param name="signature">The signature; anything but 64 bytes is invalid.</param>
    /// <returns><see langword="true"/> when the signature is valid for the key and message.</returns>
    /// <exception cref="ArgumentException"><paramref name="publicKey"/> is not 32 bytes long.</exception>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize)
        {
            throw Error.WrongKeyLength(nameof(publicKey), "Ed25519 public key", PublicKeySize, publicKey.Length);
        }

        if (signature.Length != SignatureSize)
        {
            return false;
        }

        SodiumLibrary.EnsureInitialized();
        fixed (byte* pk = publicKey, m = data, sig = signature)
        {
            return Sodium.crypto_sign_verify_detached(sig, m, (ulong)data.Length, pk) == 0;
        }
    }

    /// <summary>Copies the 32-byte seed into a new <see cref="SecureBuffer"/>, for storing it (for example with the key store).</summary>
    /// <returns>The seed; the caller disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public SecureBuffer ExportSeed() => secretKey.Export(0, SeedSize, this);

    /// <summary>
    /// Creates a key from a PKCS#8 DER encoding (RFC 8410: PrivateKeyInfo version 0 with the 32-byte seed, no
    /// attributes, no public key), the form OpenSSL and NSec write. The data is read in place and copied once.
    /// </summary>
    /// <param name="pkcs8">The 48-byte encoding; a <see cref="SecureBuffer"/>'s span keeps it out of dumps.</param>
    /// <returns>A new key; the caller disposes it.</returns>
    /// <exception cref="CryptographicException">The data is not such an encoding.</exception>
    public static SecureEd25519 FromPkcs8PrivateKey(ReadOnlySpan<byte> pkcs8) =>
        FromSeed(Pkcs8.RawKey(ed25519: true, pkcs8, "Ed25519"));

    /// <summary>Writes the seed as PKCS#8 DER (RFC 8410, 48 bytes) into a new <see cref="SecureBuffer"/>.</summary>
    /// <returns>The encoding; the caller disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public SecureBuffer ExportPkcs8PrivateKey()
    {
        byte* sk = secretKey.Acquire(this);
        try
        {
            return Pkcs8.Encode(ed25519: true, new ReadOnlySpan<byte>(sk, SeedSize));
        }
        finally
        {
            secretKey.Release();
        }
    }

    /// <summary>
    /// Creates a key from a PEM <c>PRIVATE KEY</c> block (RFC 7468) holding PKCS#8 DER (RFC 8410), as
    /// <c>openssl genpkey -algorithm ed25519</c> writes it. The base64 is decoded straight into secure memory.
    /// </summary>
    /// <param name="utf8Pem">The PEM text as UTF-8 (or ASCII); a <see cref="SecureBuffer"/>'s span keeps it out of dumps. Only whitespace may surround the block.</param>
    /// <returns>A new key; the caller disposes it.</returns>
    /// <exception cref="CryptographicException">The data is not one such block, or holds another algorithm's key, a key of the wrong length, or trailing data.</exception>
    public static SecureEd25519 FromPem(ReadOnlySpan<byte> utf8Pem)
    {
        using SecureBuffer der = Pkcs8.DecodePem(utf8Pem, "Ed25519");
        return FromPkcs8PrivateKey(der.Span);
    }

    /// <summary>Writes the private key as a PEM <c>PRIVATE KEY</c> block (PKCS#8, RFC 8410) into a new <see cref="SecureBuffer"/>, the form OpenSSL writes.</summary>
    /// <returns>The PEM text as UTF-8 bytes, ending in a line feed; the caller disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public SecureBuffer ExportPkcs8PrivateKeyPem()
    {
        using SecureBuffer raw = ExportSeed();
        return Pkcs8.EncodePem(ed25519: true, raw.Span);
    }

    /// <summary>Encodes the public key as X.509 SubjectPublicKeyInfo DER (RFC 8410, 44 bytes), the form of <c>openssl pkey -pubout -outform DER</c>.</summary>
    /// <returns>The encoding.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public byte[] ExportSubjectPublicKeyInfo() => SubjectPublicKeyInfo.Encode(ed25519: true, PublicKey);

    /// <summary>Encodes the public key as a PEM <c>PUBLIC KEY</c> block, the form of <c>openssl pkey -pubout</c>.</summary>
    /// <returns>The PEM text, ending in a line feed.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public string ExportSubjectPublicKeyInfoPem() => SubjectPublicKeyInfo.EncodePem(ed25519: true, PublicKey);

    /// <summary>Returns the 32-byte public key of a Ed25519 SubjectPublicKeyInfo, given as DER or as a PEM <c>PUBLIC KEY</c> block.</summary>
    /// <param name="spkiDerOrPem">The DER (44 bytes), or the PEM text as UTF-8; only whitespace may surround a PEM block.</param>
    /// <returns>The raw public key.</returns>
    /// <exception cref="CryptographicException">The data is neither, is for another algorithm, or has trailing data.</exception>
    public static byte[] PublicKeyFromSubjectPublicKeyInfo(ReadOnlySpan<byte> spkiDerOrPem) =>
        SubjectPublicKeyInfo.PublicKey(ed25519: true, spkiDerOrPem, "Ed25519");

    /// <summary>
    /// Creates a key from a private JSON Web Key (RFC 8037: <c>{"kty":"OKP","crv":"Ed25519","d":…,"x":…}</c>). "d" is
    /// decoded from the input straight into secure memory, and "x" must be its public key. Other members are ignored.
    /// </summary>
    /// <param name="utf8Json">The JWK as UTF-8 JSON; a <see cref="SecureBuffer"/>'s span keeps it out of dumps. "d" and "x" must be unpadded base64url without JSON escapes.</param>
    /// <returns>A new key; the caller disposes it.</returns>
    /// <exception cref="CryptographicException">The data is not such a JWK: malformed JSON, another key type or curve, a missing, repeated or wrongly sized member, trailing data, or an "x" that is not the public key of "d".</exception>
    public static SecureEd25519 FromJwk(ReadOnlySpan<byte> utf8Json)
    {
        Span<byte> claimedPublicKey = stackalloc byte[PublicKeySize];
        using SecureBuffer raw = OkpJwk.ReadPrivateKey(utf8Json, "Ed25519", claimedPublicKey);
        SecureEd25519 key = FromSeed(raw.Span);
        if (!key.publicKey.AsSpan().SequenceEqual(claimedPublicKey))
        {
            key.Dispose();
            throw Error.JwkPublicKeyMismatch("Ed25519");
        }

        return key;
    }

    /// <summary>Writes the key as a private JSON Web Key (RFC 8037, with "d" and "x") into a new <see cref="SecureBuffer"/>.</summary>
    /// <returns>The JSON as UTF-8 bytes; the caller disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public SecureBuffer ExportJwk()
    {
        using SecureBuffer raw = ExportSeed();
        return OkpJwk.WritePrivateKey("Ed25519", raw.Span, publicKey);
    }

    /// <summary>Writes the public key as a JSON Web Key (RFC 8037: <c>{"kty":"OKP","crv":"Ed25519","x":…}</c>).</summary>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public string ExportPublicJwk() => OkpJwk.WritePublicKey("Ed25519", PublicKey);

    /// <summary>Zeroes and frees the secret key.</summary>
    public void Dispose() => secretKey.Dispose();

    private static SecureEd25519 Create(byte* seed)
    {
        var secretKey = new SecretKeyMemory(SecretKeySize);
        try
        {
            byte[] publicKey = new byte[PublicKeySize];
            byte* sk = secretKey.Acquire(secretKey);
            try
            {
                fixed (byte* pk = publicKey)
                {
                    // libsodium writes the expanded scalar into sk first and then overwrites it with the seed,
                    // so the scalar only ever touches secure memory.
                    if (Sodium.crypto_sign_seed_keypair(pk, sk, seed) != 0)
                    {
                        throw Error.SodiumCurveFailed("crypto_sign_seed_keypair");
                    }
                }
            }
            finally
            {
                secretKey.Release();
            }

            return new SecureEd25519(secretKey, publicKey);
        }
        catch
        {
            secretKey.Dispose();
            throw;
        }
    }
}
