using Microsoft.Win32.SafeHandles;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>
/// Refuses a key or password file that its group or other users can read or write, as ssh refuses
/// such a private key: whoever can read the file holds every key in the store.
/// </summary>
internal static class CredentialFileMode
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// The problem with the mode of the file opened as <paramref name="handle"/>, or null. The open
    /// file is checked, not the path: a symbolic link (a Kubernetes secret is one) is judged by the
    /// file it names, and a file swapped in after validation is checked again when it is read.
    /// </summary>
    internal static string? Check(SecureKeyStorageOptions options, string option, string path, SafeFileHandle handle) =>
        Applies(options) ? Problem(options, option, path, File.GetUnixFileMode(handle)) : null;

    /// <summary>The problem with the mode of the file <paramref name="path"/> names (a symbolic link followed), or null; only to word a refusal already made on the opened file.</summary>
    internal static string? Check(SecureKeyStorageOptions options, string option, string path) =>
        Applies(options) && File.Exists(path) ? Problem(options, option, path, File.GetUnixFileMode(File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path)) : null;

    [System.Runtime.Versioning.SupportedOSPlatformGuard("linux")]
    [System.Runtime.Versioning.SupportedOSPlatformGuard("macos")]
    [System.Runtime.Versioning.SupportedOSPlatformGuard("freebsd")]
    private static bool Applies(SecureKeyStorageOptions options) =>
        !options.AllowGroupOrWorldReadableCredentialFiles && !OperatingSystem.IsWindows();

    private static string? Problem(SecureKeyStorageOptions options, string option, string path, UnixFileMode mode) =>
        (mode & GroupOrOthers) == 0
            ? null
            : Error.CredentialFileOpenToOthers(option, path, mode, Error.OptionName(options, nameof(SecureKeyStorageOptions.AllowGroupOrWorldReadableCredentialFiles)));
}
