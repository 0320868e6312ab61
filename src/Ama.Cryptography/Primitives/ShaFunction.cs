using System.Security.Cryptography;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// SHA-256 or SHA-512 from the system libcrypto, run on a context the caller places (in secure memory).
/// </summary>
internal sealed unsafe class ShaFunction
{
    private static readonly Lazy<(ShaFunction[] Functions, string? Problem)> Loaded = new(Load);

    private readonly void* init;
    private readonly void* update;
    private readonly void* final;
    private readonly void* copy;
    private readonly void* cleanse;

    private ShaFunction(string name, int contextSize, int blockSize, int hashSize, nuint stackDepth, void* init, void* update, void* final, LibCrypto library)
    {
        StackDepth = stackDepth;
        Name = name;
        ContextSize = contextSize;
        BlockSize = blockSize;
        HashSize = hashSize;
        this.init = init;
        this.update = update;
        this.final = final;
        copy = library.MemCopy;
        cleanse = library.Cleanse;
    }

    internal string Name { get; }

    internal int ContextSize { get; }

    internal int BlockSize { get; }

    internal int HashSize { get; }

    /// <summary>Gets the stack the block function may use (<see cref="ScrubDepth"/>).</summary>
    internal nuint StackDepth { get; }

    internal static bool IsAvailable => Loaded.Value.Problem is null;

    internal static string? Problem => Loaded.Value.Problem;

    internal static ShaFunction For(HashAlgorithmName hashAlgorithm, string paramName, string typeName)
    {
        if (string.IsNullOrEmpty(hashAlgorithm.Name))
        {
            throw Error.HashAlgorithmNameEmpty(paramName);
        }

        if (hashAlgorithm != HashAlgorithmName.SHA256 && hashAlgorithm != HashAlgorithmName.SHA384 && hashAlgorithm != HashAlgorithmName.SHA512)
        {
            throw Error.HashAlgorithmNotSupported(hashAlgorithm.Name, typeName);
        }

        (ShaFunction[] functions, string? problem) = Loaded.Value;
        return Array.Find(functions, f => f.Name == hashAlgorithm.Name) ?? throw Error.LibCryptoUnavailable(typeName, problem!);
    }

    /// <summary>SHA*_Init(context).</summary>
    internal NativeCall Init(byte* context) => new(init, (nint)context);

    /// <summary>SHA*_Update(context, data, length).</summary>
    internal NativeCall Update(byte* context, byte* data, int length) => new(update, (nint)context, (nint)data, length);

    /// <summary>SHA*_Final(hash, context).</summary>
    internal NativeCall Final(byte* hash, byte* context) => new(final, (nint)hash, (nint)context);

    /// <summary>memcpy of a context (a midstate): done natively, so the words never pass through managed registers.</summary>
    internal NativeCall CopyContext(byte* destination, byte* source) => new(copy, (nint)destination, (nint)source, ContextSize);

    /// <summary>memcpy of key bytes into secure memory, inside the batch, so they never sit in managed registers.</summary>
    internal NativeCall CopyBytes(byte* destination, byte* source, int length) => new(copy, (nint)destination, (nint)source, length);

    /// <summary>OPENSSL_cleanse(area, length).</summary>
    internal NativeCall Cleanse(byte* area, int length) => new(cleanse, (nint)area, length);

    /// <summary>Runs <paramref name="calls"/> as one scrubbed native call and checks every SHA result.</summary>
    internal void Run(Span<NativeCall> calls)
    {
        fixed (NativeCall* first = calls)
        {
            ScrubbedCall.Run(first, calls.Length, ScrubDepth.For(StackDepth, InputLength(calls)));
        }

        foreach (ref readonly NativeCall call in calls)
        {
            if ((call.Function == init || call.Function == update || call.Function == final) && call.IntResult != 1)
            {
                throw Error.LibCryptoFailed(call.Function == init ? "Init" : call.Function == update ? "Update" : "Final");
            }
        }
    }

    private ulong InputLength(Span<NativeCall> calls)
    {
        ulong length = 0;
        foreach (ref readonly NativeCall call in calls)
        {
            length += call.Function == update ? (ulong)call.A2 : 0;
        }

        return length;
    }

    private static (ShaFunction[], string?) Load()
    {
        if (LibCrypto.TryLoad(out string? problem) is not { } library)
        {
            return ([], problem);
        }

        // SHA-384 is SHA-512 with other initial values, cut to 48 bytes: the same context, block and stack.
        ShaFunction[] functions =
        [
            new("SHA256", LibCrypto.Sha256ContextSize, 64, 32, ScrubDepth.Sha256, library.Sha256Init, library.Sha256Update, library.Sha256Final, library),
            new("SHA384", LibCrypto.Sha512ContextSize, 128, 48, ScrubDepth.Sha512, library.Sha384Init, library.Sha384Update, library.Sha384Final, library),
            new("SHA512", LibCrypto.Sha512ContextSize, 128, 64, ScrubDepth.Sha512, library.Sha512Init, library.Sha512Update, library.Sha512Final, library),
        ];
        problem = functions.Select(f => f.SelfTestProblem()).FirstOrDefault(p => p is not null);
        return problem is null ? (functions, null) : ([], problem);
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
        Run([Init(context), Update(context, message, 3), Final(digest, context)]);
        byte[] expected = HashSize switch { 32 => SHA256.HashData("abc"u8), 48 => SHA384.HashData("abc"u8), _ => SHA512.HashData("abc"u8) };
        if (!new ReadOnlySpan<byte>(digest, HashSize).SequenceEqual(expected))
        {
            return $"libcrypto's {Name} gave a wrong digest in its known-answer test";
        }

        return new ReadOnlySpan<byte>(context + ContextSize, 64).ContainsAnyExcept(Fence)
            ? $"libcrypto's {Name} context is larger than {ContextSize} bytes"
            : null;
    }
}
