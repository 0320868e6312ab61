using System.Runtime.InteropServices;

namespace Ama.Cryptography.Benchmarks.Interop;

/// <summary>getrlimit/setrlimit, for benchmarks that lower RLIMIT_MEMLOCK in their own process.</summary>
internal static partial class ResourceLimits
{
    internal const int RLIMIT_MEMLOCK = 8;

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    internal static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    internal static partial int SetRLimit(int resource, in RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    internal struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
