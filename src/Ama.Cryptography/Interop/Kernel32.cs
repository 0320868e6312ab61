using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Ama.Cryptography.Interop;

/// <summary>P/Invoke declarations for kernel32 on Windows.</summary>
[SupportedOSPlatform("windows")]
internal static partial class Kernel32
{
    private const string Library = "kernel32.dll";

    internal const uint MEM_COMMIT = 0x1000;
    internal const uint MEM_RESERVE = 0x2000;
    internal const uint MEM_RELEASE = 0x8000;
    internal const uint PAGE_NOACCESS = 0x01;
    internal const uint PAGE_READONLY = 0x02;
    internal const uint PAGE_READWRITE = 0x04;
    internal const int ERROR_WORKING_SET_QUOTA = 1453;
    internal const uint QUOTA_LIMITS_HARDWS_MIN_DISABLE = 0x2;

    [LibraryImport(Library, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool VirtualLock(nint address, nuint size);

    [LibraryImport(Library, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool VirtualUnlock(nint address, nuint size);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint VirtualAlloc(nint address, nuint size, uint allocationType, uint protection);

    [LibraryImport(Library, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool VirtualFree(nint address, nuint size, uint freeType);

    [LibraryImport(Library, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool VirtualProtect(nint address, nuint size, uint newProtection, out uint oldProtection);

    [LibraryImport(Library)]
    internal static partial nint GetCurrentProcess();

    [LibraryImport(Library, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool GetProcessWorkingSetSizeEx(nint process, out nuint minimum, out nuint maximum, out uint flags);

    [LibraryImport(Library, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool SetProcessWorkingSetSizeEx(nint process, nuint minimum, nuint maximum, uint flags);
}
