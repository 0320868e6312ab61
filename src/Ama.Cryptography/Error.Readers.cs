namespace Ama.Cryptography;

/// <summary>Messages of the SecureBuffer readers. None quotes a byte of the input: it may be a key.</summary>
internal static partial class Error
{
    internal static ArgumentException StreamNotReadable(string paramName) => new(
        "The stream does not support reading.", paramName);

    internal static InvalidDataException InputTooLong(string what, int maxLength) => new(
        Format("{0} holds more than {1} bytes, the most allowed; nothing was kept.", what, maxLength));

    internal static IOException ReadFileNotRegular(string path, string kind) => new(
        Format("'{0}' is {1}, not a regular file; a key must be read from a regular file (or a symbolic link to one).", path, kind));

    /// <summary>The exception types .NET itself throws for these errno values.</summary>
    internal static Exception ReadFileOpenFailed(string path, int errno) => errno switch
    {
        Interop.Libc.ENOENT => new FileNotFoundException(Format("Could not find the file '{0}'.", path), path),
        Interop.Libc.ENOTDIR => new DirectoryNotFoundException(Format("Could not find a part of the path '{0}'.", path)),
        Interop.Libc.EACCES or Interop.Libc.EPERM => new UnauthorizedAccessException(Format("Access to the file '{0}' is denied: errno {1} ({2}).", path, errno, OSErrorText(errno))),
        _ => new IOException(Format("The file '{0}' could not be opened: errno {1} ({2}).", path, errno, OSErrorText(errno))),
    };

    internal static UnauthorizedAccessException ReadFileOpenToOthers(string path, int mode, string who, string allowOption) => new(
        Format("The file '{0}' has mode {1}, so {2} can read or change it, and the key with it. Make it the owner's alone: chmod 600 '{0}' (and chown it to the user the process runs as). Only where something else keeps them from the file, set SecureFileOptions.{3} to true to accept it.",
            path, Octal(mode), who, allowOption));

    internal static InvalidOperationException CredentialsDirectoryUnset() => new(
        "The environment variable CREDENTIALS_DIRECTORY is not set: the process was not started by systemd with LoadCredential=, LoadCredentialEncrypted= or SetCredential= in its unit.");

    internal static FileNotFoundException CredentialMissing(string name, string directory, string path) => new(
        Format("The credential '{0}' is not in $CREDENTIALS_DIRECTORY ({1}); add LoadCredential={0}:<file> or LoadCredentialEncrypted={0}:<file> to the unit.", name, directory),
        path);

    internal static ArgumentException CredentialNameInvalid(string paramName) => new(
        "A credential name must be a file name: not empty, not '.' or '..', without '/' or NUL, at most 255 bytes.", paramName);

    internal static FormatException NotBase64() => new(
        "The input is not valid base64 (RFC 4648, standard alphabet, with padding; white space is ignored). The input is not quoted: it may be a key.");

    internal static FormatException NotHex() => new(
        "The input is not valid hexadecimal (pairs of 0-9, a-f or A-F; white space is allowed only between pairs). The input is not quoted: it may be a key.");

    /// <summary>A file mode as chmod writes it, such as 0644.</summary>
    private static string Octal(int mode) => "0" + Convert.ToString(mode, 8).PadLeft(3, '0');
}
