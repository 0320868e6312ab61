using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// SHA-256 or SHA-512 from the system libcrypto, run on a context the caller places (in secure memory).
/// </summary>
internal sealed unsafe class ShaFunction
{
    /// <summary>
    /// Updates up to this length skip the GC-mode transition: 1 KiB takes about half a microsecond
    /// with SHA-NI and under three without, within what such a call may hold up a GC. The choice
    /// depends on the length only, which is public.
    /// </summary>
    internal const int ShortCallBytes = 1024;

    private static readonly Lazy<(ShaFunction? Sha256, ShaFunction? Sha512, string? Problem)> Loaded = new(Load);

    private readonly delegate* unmanaged<byte*, int> init;
    private readonly delegate* unmanaged<byte*, byte*, nuint, int> update;
    private readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int> updateShort;
    private readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, int> finalShort;

    private ShaFunction(
        string name,
        int contextSize,
        int blockSize,
        int hashSize,
        delegate* unmanaged<byte*, int> init,
        delegate* unmanaged<byte*, byte*, nuint, int> update,
        delegate* unmanaged<byte*, byte*, int> final)
    {
        Name = name;
        ContextSize = contextSize;
        BlockSize = blockSize;
        HashSize = hashSize;
        this.init = init;
        this.update = update;
        updateShort = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int>)update;
        finalShort = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, int>)final;
    }

    internal string Name { get; }

    internal int ContextSize { get; }

    internal int BlockSize { get; }

    internal int HashSize { get; }

    /// <summary>Gets whether libcrypto was loaded and passed its known-answer tests.</summary>
    internal static bool IsAvailable => Loaded.Value.Problem is null;

    /// <summary>Gets why libcrypto cannot be used, or null.</summary>
    internal static string? Problem => Loaded.Value.Problem;

    /// <summary>Maps a hash name to its function, throwing like the BCL for names it does not serve.</summary>
    internal static ShaFunction For(HashAlgorithmName hashAlgorithm, string paramName, string typeName)
    {
        if (string.IsNullOrEmpty(hashAlgorithm.Name))
        {
            throw Error.HashAlgorithmNameEmpty(paramName);
        }

        bool sha256 = hashAlgorithm.Name == HashAlgorithmName.SHA256.Name;
        if (!sha256 && hashAlgorithm.Name != HashAlgorithmName.SHA512.Name)
        {
            throw Error.HashAlgorithmNotSupported(hashAlgorithm.Name, typeName);
        }

        (ShaFunction? sha256Function, ShaFunction? sha512Function, string? problem) = Loaded.Value;
        return (sha256 ? sha256Function : sha512Function) ?? throw Error.LibCryptoUnavailable(typeName, problem!);
    }

    internal void Init(byte* context) => Check(init(context), "Init");

    internal void Update(byte* context, byte* data, int length)
    {
        if (length <= ShortCallBytes)
        {
            Check(updateShort(context, data, (nuint)length), "Update");
        }
        else
        {
            UpdateWithTransition(context, data, length);
        }
    }

    /// <summary>Writes <see cref="HashSize"/> bytes to <paramref name="hash"/>; a final block is short work.</summary>
    internal void Final(byte* hash, byte* context) => Check(finalShort(hash, context), "Final");

    private static void Check(int result, string function)
    {
        if (result != 1)
        {
            throw Error.LibCryptoFailed(function);
        }
    }

    // The ordinary native call lives in a method of its own, so the short path has no transition frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void UpdateWithTransition(byte* context, byte* data, int length) => Check(update(context, data, (nuint)length), "Update");

    private static (ShaFunction?, ShaFunction?, string?) Load()
    {
        if (LibCrypto.TryLoad(out string? problem) is not { } library)
        {
            return (null, null, problem);
        }

        var sha256 = new ShaFunction("SHA256", LibCrypto.Sha256ContextSize, 64, 32, library.Sha256Init, library.Sha256Update, library.Sha256Final);
        var sha512 = new ShaFunction("SHA512", LibCrypto.Sha512ContextSize, 128, 64, library.Sha512Init, library.Sha512Update, library.Sha512Final);
        problem = sha256.SelfTestProblem() ?? sha512.SelfTestProblem();
        return problem is null ? (sha256, sha512, null) : (null, null, problem);
    }

    /// <summary>
    /// Hashes "abc" on a context followed by a fence of known bytes: a wrong digest or a touched fence
    /// means the library's context is not the layout this code allocates, so it must not be used.
    /// </summary>
    private string? SelfTestProblem()
    {
        const byte Fence = 0xA5;
        byte* context = stackalloc byte[ContextSize + 64];
        new Span<byte>(context + ContextSize, 64).Fill(Fence);
        byte* message = stackalloc byte[] { (byte)'a', (byte)'b', (byte)'c' };
        byte* digest = stackalloc byte[HashSize];
        Init(context);
        Update(context, message, 3);
        Final(digest, context);
        byte[] expected = HashSize == 32 ? SHA256.HashData("abc"u8) : SHA512.HashData("abc"u8);
        if (!new ReadOnlySpan<byte>(digest, HashSize).SequenceEqual(expected))
        {
            return $"libcrypto's {Name} gave a wrong digest in its known-answer test";
        }

        return new ReadOnlySpan<byte>(context + ContextSize, 64).ContainsAnyExcept(Fence)
            ? $"libcrypto's {Name} context is larger than {ContextSize} bytes"
            : null;
    }
}
