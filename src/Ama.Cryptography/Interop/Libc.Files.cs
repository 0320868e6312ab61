using System.Runtime.InteropServices;

namespace Ama.Cryptography.Interop;

/// <summary>File-system calls the key store needs beyond what .NET offers: open without flock, file type and owner, fchown.</summary>
internal static partial class Libc
{
    // The same values on every Linux architecture .NET runs on (x64, arm64, arm, riscv64).
    internal const int O_RDONLY = 0;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_CLOEXEC = 0x80000;

    internal const int AT_FDCWD = -100;
    internal const int AT_EMPTY_PATH = 0x1000;

    internal const uint STATX_TYPE = 0x1;
    internal const uint STATX_MODE = 0x2;
    internal const uint STATX_UID = 0x8;
    internal const uint STATX_GID = 0x10;

    internal const int S_IFMT = 0xF000;
    internal const int S_IFREG = 0x8000;
    internal const int S_IFDIR = 0x4000;
    internal const int S_IFIFO = 0x1000;

    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EACCES = 13;
    internal const int ENOTDIR = 20;

    /// <summary>The start of struct statx, whose layout is the same on every architecture (unlike struct stat).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct StatxBuffer
    {
        [FieldOffset(0)]
        public uint Mask;

        [FieldOffset(20)]
        public uint Uid;

        [FieldOffset(24)]
        public uint Gid;

        [FieldOffset(28)]
        public ushort Mode;
    }

    internal static int Statx(int directoryFd, string path, int flags, uint mask, out StatxBuffer buffer)
    {
        Platform.RequireLinux("statx");
        return StatxCore(directoryFd, path, flags, mask, out buffer);
    }

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxCore(int directoryFd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport(Library, EntryPoint = "fchown", SetLastError = true)]
    internal static partial int Fchown(int fd, uint owner, uint group);
}
