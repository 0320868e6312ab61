using System.Runtime.Versioning;

namespace Ama.Cryptography.Interop;

/// <summary>
/// The one place that decides which operating-system features the library may use: memfd_secret, the
/// Linux madvise flags, statx, /proc, the scrubbing stub (Linux) and the system libcrypto (not macOS,
/// not Windows). Calling conventions and constants of the C library (mmap flags, rlimit numbers) follow
/// the real OS instead, since they describe the kernel this process really talks to.
/// </summary>
internal static class Platform
{
    // Set only by tests, in a child process of their own, before the library does anything else.
    private static bool simulateMacOS;

    /// <summary>Gets whether the Linux-only features may be used.</summary>
    [SupportedOSPlatformGuard("linux")]
    internal static bool IsLinux => OperatingSystem.IsLinux() && !simulateMacOS;

    /// <summary>Gets whether this is macOS (or a test that runs the library as it runs there).</summary>
    internal static bool IsMacOS => OperatingSystem.IsMacOS() || simulateMacOS;

    /// <summary>
    /// Makes this process take the macOS paths while on Linux: no Linux-only feature is used or reported,
    /// and a Linux-only C library call throws (see <see cref="RequireLinux"/>). For tests of the
    /// degraded paths; must be the first thing the process does with the library.
    /// </summary>
    internal static void SimulateMacOSForTests() => simulateMacOS = true;

    /// <summary>
    /// Guards a C library call that exists, or means the same, only on Linux (memfd_secret's syscall number,
    /// the Linux madvise flags, statx). Every caller checks <see cref="IsLinux"/> first; reaching this elsewhere is a bug,
    /// and on macOS the call would run another syscall or fail with EINVAL.
    /// </summary>
    internal static void RequireLinux(string call)
    {
        if (!IsLinux)
        {
            throw Error.LinuxOnlyCall(call);
        }
    }
}
