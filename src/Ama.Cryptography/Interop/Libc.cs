using System.Runtime.InteropServices;

namespace Ama.Cryptography.Interop;

/// <summary>P/Invoke declarations for the C library on Linux and macOS.</summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    internal const int PROT_NONE = 0x0;
    internal const int PROT_READ = 0x1;
    internal const int PROT_WRITE = 0x2;
    internal const int PROT_EXEC = 0x4;

    internal const int MAP_SHARED = 0x01;
    internal const int MAP_PRIVATE = 0x02;
    internal const int MAP_FIXED = 0x10;

    // MAP_ANONYMOUS differs: 0x20 on Linux, 0x1000 on macOS.
    internal static int MAP_ANONYMOUS => OperatingSystem.IsMacOS() ? 0x1000 : 0x20;

    internal const int MADV_DONTFORK = 10;
    internal const int MADV_DONTDUMP = 16;
    internal const int MADV_DODUMP = 17;
    internal const int MADV_WIPEONFORK = 18;

    internal const int RLIMIT_CORE = 4;

    // RLIMIT_MEMLOCK is 8 on Linux and 6 on macOS.
    internal static int RLIMIT_MEMLOCK => OperatingSystem.IsMacOS() ? 6 : 8;

    internal const long SYS_memfd_secret = 447;

    internal static readonly nint MAP_FAILED = -1;

    [StructLayout(LayoutKind.Sequential)]
    internal struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int Munmap(nint address, nuint length);

    [LibraryImport(Library, EntryPoint = "mprotect", SetLastError = true)]
    internal static partial int Mprotect(nint address, nuint length, int protection);

    [LibraryImport(Library, EntryPoint = "mlock", SetLastError = true)]
    internal static partial int Mlock(nint address, nuint length);

    [LibraryImport(Library, EntryPoint = "munlock", SetLastError = true)]
    internal static partial int Munlock(nint address, nuint length);

    /// <summary>madvise with one of the Linux advice values above (their numbers mean other things, or nothing, elsewhere).</summary>
    internal static int Madvise(nint address, nuint length, int advice)
    {
        Platform.RequireLinux("madvise");
        return MadviseCore(address, length, advice);
    }

    [LibraryImport(Library, EntryPoint = "madvise", SetLastError = true)]
    private static partial int MadviseCore(nint address, nuint length, int advice);

    [LibraryImport(Library, EntryPoint = "mincore", SetLastError = true)]
    internal static partial int Mincore(nint address, nuint length, byte* residency);

    [LibraryImport(Library, EntryPoint = "getrlimit", SetLastError = true)]
    internal static partial int GetRLimit(int resource, out RLimit limit);

    /// <summary>A raw Linux syscall: the numbers above are Linux's (447 is memfd_secret there, another call on macOS).</summary>
    internal static long Syscall(long number, long argument)
    {
        Platform.RequireLinux("syscall");
        return SyscallCore(number, argument);
    }

    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallCore(long number, long argument);

    [LibraryImport(Library, EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int Ftruncate(int fd, long length);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int Fsync(int fd);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "strerror")]
    internal static partial nint StrError(int errorNumber);
}
