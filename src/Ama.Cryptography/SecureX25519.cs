using System.Security.Cryptography;
using Ama.Cryptography.Interop;
using Ama.Cryptography.Primitives;

namespace Ama.Cryptography;

/// <summary>
/// An X25519 key-agreement key (RFC 7748) whose private key and every shared secret it derives live only in
/// secure memory: out of every dump, locked into RAM and zeroed on <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// Some libsodium builds clamp a copy of the private key on the stack without wiping it, so the library
/// clears the stack area below each call (8 KiB). Instances may be used from several
/// threads at once; a <see cref="Dispose"/> during an operation returns at once, and the key is zeroed and freed
/// when that operation completes.
/// </remarks>
public sealed unsafe class SecureX25519 : IDisposable
{
    /// <summary>The size of a private key, in bytes.</summary>
    public const int PrivateKeySize = 32;

    /// <summary>The size of a public key, in bytes.</summary>
    public const int PublicKeySize = 32;

    /// <summary>The size of a shared secret, in bytes.</summary>
    public const int SharedSecretSize = 32;

    private readonly SecretKeyMemory privateKey;
    private readonly byte[] publicKey;

    private SecureX25519(SecretKeyMemory privateKey, byte[] publicKey)
    {
        this.privateKey = privateKey;
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
            ObjectDisposedException.ThrowIf(privateKey.IsDisposed, this);
            return publicKey;
        }
    }

    /// <summary>Creates a key from random bytes that libsodium writes straight into secure memory.</summary>
    /// <returns>A new key; the caller disposes it.</returns>
    public static SecureX25519 Generate()
    {
        var privateKey = new SecretKeyMemory(PrivateKeySize);
        try
        {
            byte* key = privateKey.Acquire(privateKey);
            Sodium.randombytes_buf(key, PrivateKeySize);
            privateKey.Release();
            return WithPublicKey(privateKey);
        }
        catch
        {
            privateKey.Dispose();
            throw;
        }
    }

    /// <summary>Creates a key from a 32-byte private key, which is copied; the caller may wipe its span afterwards.</summary>
    /// <param name="privateKey">The RFC 7748 scalar; it is clamped when used, as the RFC says.</param>
    /// <returns>A new key; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="privateKey"/> is not 32 bytes long.</exception>
    public static SecureX25519 FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != PrivateKeySize)
        {
            throw Error.WrongKeyLength(nameof(privateKey), "X25519 private key", PrivateKeySize, privateKey.Length);
        }

        var copy = new SecretKeyMemory(PrivateKeySize);
        try
        {
            byte* key = copy.Acquire(copy);
            SecretCopy.Copy(privateKey, new Span<byte>(key, PrivateKeySize));
            copy.Release();
            return WithPublicKey(copy);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>Creates a key from a private key held in a <see cref="SecureBuffer"/>; the key keeps its own copy, so the caller may dispose the buffer.</summary>
    /// <param name="privateKey">A buffer of exactly 32 bytes.</param>
    /// <returns>A new key; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="privateKey"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="privateKey"/> is not 32 bytes long.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="privateKey"/> has been disposed.</exception>
    public static SecureX25519 FromPrivateKey(SecureBuffer privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        return FromPrivateKey(privateKey.Span);
    }

    /// <summary>Computes the X25519 shared secret with a peer's public key into a new <see cref="SecureBuffer"/>.</summary>
    /// <param name="peerPublicKey">The peer's 32-byte public key. As RFC 7748 says, the top bit is ignored.</param>
    /// <returns>The 32-byte shared secret; the caller disposes it. Feed it to a KDF rather than using it as a key.</returns>
    /// <exception cref="ArgumentException"><paramref name="peerPublicKey"/> is not 32 bytes long.</exception>
    /// <exception cref="CryptographicException">The peer's key has low order, so the shared secret would be all zeroes.</exception>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public SecureBuffer DeriveSharedSecret(ReadOnlySpan<byte> peerPublicKey)
    {
        if (peerPublicKey.Length != PublicKeySize)
        {
            throw Error.WrongKeyLength(nameof(peerPublicKey), "X25519 public key", PublicKeySize, peerPublicKey.Length);
        }

        ObjectDisposedException.ThrowIf(privateKey.IsDisposed, this);
        var shared = new SecureBuffer(SharedSecretSize);
        int result;
        byte* key = privateKey.Acquire(this);
        try
        {
            fixed (byte* peer = peerPublicKey)
            {
                result = Sodium.crypto_scalarmult((byte*)shared.UnsafeAddress, key, peer);
            }
        }
        finally
        {
            privateKey.Release();
        }

        if (result != 0)
        {
            shared.Dispose();
            throw Error.X25519LowOrderPeer();
        }

        return shared;
    }

    /// <summary>Copies the 32-byte private key, as it was given (unclamped), into a new <see cref="SecureBuffer"/>.</summary>
    /// <returns>The private key; the caller disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public SecureBuffer ExportPrivateKey() => privateKey.Export(0, PrivateKeySize, this);

    /// <summary>
    /// Creates a key from a PKCS#8 DER encoding (RFC 8410: PrivateKeyInfo version 0 with the 32-byte key, no
    /// attributes, no public key), the form OpenSSL and NSec write. The data is read in place and copied once.
    /// </summary>
    /// <param name="pkcs8">The 48-byte encoding; a <see cref="SecureBuffer"/>'s span keeps it out of dumps.</param>
    /// <returns>A new key; the caller disposes it.</returns>
    /// <exception cref="CryptographicException">The data is not such an encoding.</exception>
    public static SecureX25519 FromPkcs8PrivateKey(ReadOnlySpan<byte> pkcs8) =>
        FromPrivateKey(Pkcs8.RawKey(ed25519: false, pkcs8, "X25519"));

    /// <summary>Writes the private key as PKCS#8 DER (RFC 8410, 48 bytes) into a new <see cref="SecureBuffer"/>.</summary>
    /// <returns>The encoding; the caller disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public SecureBuffer ExportPkcs8PrivateKey()
    {
        byte* key = privateKey.Acquire(this);
        try
        {
            return Pkcs8.Encode(ed25519: false, new ReadOnlySpan<byte>(key, PrivateKeySize));
        }
        finally
        {
            privateKey.Release();
        }
    }

    /// <summary>
    /// Creates a key from a PEM <c>PRIVATE KEY</c> block (RFC 7468) holding PKCS#8 DER (RFC 8410), as
    /// <c>openssl genpkey -algorithm x25519</c> writes it. The base64 is decoded straight into secure memory.
    /// </summary>
    /// <param name="utf8Pem">The PEM text as UTF-8 (or ASCII); a <see cref="SecureBuffer"/>'s span keeps it out of dumps. Only whitespace may surround the block.</param>
    /// <returns>A new key; the caller disposes it.</returns>
    /// <exception cref="CryptographicException">The data is not one such block, or holds another algorithm's key, a key of the wrong length, or trailing data.</exception>
    public static SecureX25519 FromPem(ReadOnlySpan<byte> utf8Pem)
    {
        using SecureBuffer der = Pkcs8.DecodePem(utf8Pem, "X25519");
        return FromPkcs8PrivateKey(der.Span);
    }

    /// <summary>Writes the private key as a PEM <c>PRIVATE KEY</c> block (PKCS#8, RFC 8410) into a new <see cref="SecureBuffer"/>, the form OpenSSL writes.</summary>
    /// <returns>The PEM text as UTF-8 bytes, ending in a line feed; the caller disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public SecureBuffer ExportPkcs8PrivateKeyPem()
    {
        using SecureBuffer raw = ExportPrivateKey();
        return Pkcs8.EncodePem(ed25519: false, raw.Span);
    }

    /// <summary>Encodes the public key as X.509 SubjectPublicKeyInfo DER (RFC 8410, 44 bytes), the form of <c>openssl pkey -pubout -outform DER</c>.</summary>
    /// <returns>The encoding.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public byte[] ExportSubjectPublicKeyInfo() => SubjectPublicKeyInfo.Encode(ed25519: false, PublicKey);

    /// <summary>Encodes the public key as a PEM <c>PUBLIC KEY</c> block, the form of <c>openssl pkey -pubout</c>.</summary>
    /// <returns>The PEM text, ending in a line feed.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public string ExportSubjectPublicKeyInfoPem() => SubjectPublicKeyInfo.EncodePem(ed25519: false, PublicKey);

    /// <summary>Returns the 32-byte public key of a X25519 SubjectPublicKeyInfo, given as DER or as a PEM <c>PUBLIC KEY</c> block.</summary>
    /// <param name="spkiDerOrPem">The DER (44 bytes), or the PEM text as UTF-8; only whitespace may surround a PEM block.</param>
    /// <returns>The raw public key.</returns>
    /// <exception cref="CryptographicException">The data is neither, is for another algorithm, or has trailing data.</exception>
    public static byte[] PublicKeyFromSubjectPublicKeyInfo(ReadOnlySpan<byte> spkiDerOrPem) =>
        SubjectPublicKeyInfo.PublicKey(ed25519: false, spkiDerOrPem, "X25519");

    /// <summary>
    /// Creates a key from a private JSON Web Key (RFC 8037: <c>{"kty":"OKP","crv":"X25519","d":…,"x":…}</c>). "d" is
    /// decoded from the input straight into secure memory, and "x" must be its public key. Other members are ignored.
    /// </summary>
    /// <param name="utf8Json">The JWK as UTF-8 JSON; a <see cref="SecureBuffer"/>'s span keeps it out of dumps. "d" and "x" must be unpadded base64url without JSON escapes.</param>
    /// <returns>A new key; the caller disposes it.</returns>
    /// <exception cref="CryptographicException">The data is not such a JWK: malformed JSON, another key type or curve, a missing, repeated or wrongly sized member, trailing data, or an "x" that is not the public key of "d".</exception>
    public static SecureX25519 FromJwk(ReadOnlySpan<byte> utf8Json)
    {
        Span<byte> claimedPublicKey = stackalloc byte[PublicKeySize];
        using SecureBuffer raw = OkpJwk.ReadPrivateKey(utf8Json, "X25519", claimedPublicKey);
        SecureX25519 key = FromPrivateKey(raw.Span);
        if (!key.publicKey.AsSpan().SequenceEqual(claimedPublicKey))
        {
            key.Dispose();
            throw Error.JwkPublicKeyMismatch("X25519");
        }

        return key;
    }

    /// <summary>Writes the key as a private JSON Web Key (RFC 8037, with "d" and "x") into a new <see cref="SecureBuffer"/>.</summary>
    /// <returns>The JSON as UTF-8 bytes; the caller disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public SecureBuffer ExportJwk()
    {
        using SecureBuffer raw = ExportPrivateKey();
        return OkpJwk.WritePrivateKey("X25519", raw.Span, publicKey);
    }

    /// <summary>Writes the public key as a JSON Web Key (RFC 8037: <c>{"kty":"OKP","crv":"X25519","x":…}</c>).</summary>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public string ExportPublicJwk() => OkpJwk.WritePublicKey("X25519", PublicKey);

    /// <summary>Zeroes and frees the private key.</summary>
    public void Dispose() => privateKey.Dispose();

    /// <summary>Derives the public key of a private key already in secure memory.</summary>
    private static SecureX25519 WithPublicKey(SecretKeyMemory privateKey)
    {
        // The public key is computed into secure memory too: some versions of libsodium's portable base-point
        // code use the output as scratch for the clamped scalar, which must not pass through a managed array.
        using var workspace = new SecretKeyMemory(PublicKeySize);
        byte* output = workspace.Acquire(workspace);
        byte* key = privateKey.Acquire(privateKey);
        try
        {
            if (Sodium.crypto_scalarmult_base(output, key) != 0)
            {
                throw Error.SodiumCurveFailed("crypto_scalarmult_base");
            }

            return new SecureX25519(privateKey, new ReadOnlySpan<byte>(output, PublicKeySize).ToArray());
        }
        finally
        {
            privateKey.Release();
            workspace.Release();
        }
    }
}
