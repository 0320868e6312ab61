using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Ama.Cryptography.Memory;

/// <summary>A random per-process word written in front of every buffer; a changed word means an underflow.</summary>
internal static unsafe class Canary
{
    internal const int Size = sizeof(ulong);

    private static readonly ulong Value = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(Size));

    internal static void Write(nint data) => Unsafe.WriteUnaligned((void*)(data - Size), Value);

    /// <summary>Stops the process when the canary was overwritten: carrying on could leak or corrupt secrets.</summary>
    internal static void Check(nint data, string where)
    {
        if (Unsafe.ReadUnaligned<ulong>((void*)(data - Size)) != Value)
        {
            Error.CanaryBroken(where);
        }
    }
}
