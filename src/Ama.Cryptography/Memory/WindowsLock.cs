using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Memory;

/// <summary>VirtualLock with working-set growth: Windows caps locked pages by the working-set minimum.</summary>
[SupportedOSPlatform("windows")]
internal static class WindowsLock
{
    private static readonly Lock Gate = new();

    internal static int Lock(nint address, nuint length)
    {
        if (Kernel32.VirtualLock(address, length))
        {
            return 0;
        }

        int error = Marshal.GetLastPInvokeError();
        if (error != Kernel32.ERROR_WORKING_SET_QUOTA || !GrowWorkingSet(length))
        {
            return error;
        }

        return Kernel32.VirtualLock(address, length) ? 0 : Marshal.GetLastPInvokeError();
    }

    internal static int Unlock(nint address, nuint length) =>
        Kernel32.VirtualUnlock(address, length) ? 0 : Marshal.GetLastPInvokeError();

    private static bool GrowWorkingSet(nuint length)
    {
        lock (Gate)
        {
            nint process = Kernel32.GetCurrentProcess();
            if (!Kernel32.GetProcessWorkingSetSizeEx(process, out nuint minimum, out nuint maximum, out _))
            {
                return false;
            }

            // Grow by twice the request so that a run of small locks does not call this every time.
            nuint growth = checked(length * 2) + (nuint)Environment.SystemPageSize;
            return Kernel32.SetProcessWorkingSetSizeEx(
                process,
                checked(minimum + growth),
                Math.Max(maximum, checked(minimum + growth)),
                Kernel32.QUOTA_LIMITS_HARDWS_MIN_DISABLE);
        }
    }
}
