using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Memory;

/// <summary>Locks and unlocks page ranges with the OS call of this platform, checking every result.</summary>
internal static class PageLocker
{
    internal static bool IsSupported =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() || OperatingSystem.IsWindows();

    internal static void Lock(nint address, nuint length)
    {
        int error = TryLock(address, length);
        if (error != 0)
        {
            throw Error.LockFailed(length, error);
        }
    }

    /// <summary>Returns 0 on success, else the OS error code.</summary>
    internal static int TryLock(nint address, nuint length)
    {
        if (OperatingSystem.IsWindows())
        {
            return WindowsLock.Lock(address, length);
        }

        if (!IsSupported)
        {
            throw Error.LockingNotSupported();
        }

        if (NativeBackend.IsActive)
        {
            return NativeBackend.Lock(address, length);
        }

        return Libc.Mlock(address, length) == 0 ? 0 : System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
    }

    internal static void Unlock(nint address, nuint length)
    {
        int error;
        if (OperatingSystem.IsWindows())
        {
            error = WindowsLock.Unlock(address, length);
        }
        else if (!IsSupported)
        {
            throw Error.LockingNotSupported();
        }
        else if (NativeBackend.IsActive)
        {
            error = NativeBackend.Unlock(address, length);
        }
        else
        {
            error = Libc.Munlock(address, length) == 0 ? 0 : System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        }

        if (error != 0)
        {
            throw Error.UnlockFailed(length, error);
        }
    }
}
