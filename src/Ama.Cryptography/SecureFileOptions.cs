namespace Ama.Cryptography;

/// <summary>How <see cref="SecureBuffer.ReadFile(string, SecureFileOptions?)"/> checks and reads a key file.</summary>
/// <remarks>
/// The mode checks apply on Linux, macOS and FreeBSD; Windows has no mode bits and they are skipped.
/// As ssh does for a private key, any access of the group or of other users counts (read, write or
/// execute): whoever can write the file chooses the key.
/// </remarks>
public sealed class SecureFileOptions
{
    /// <summary>The default <see cref="MaxLength"/>: 1 MiB, far above any key or password, small enough that a wrong path (a log, a disk image) is refused.</summary>
    public const int DefaultMaxLength = 1024 * 1024;

    private readonly int maxLength = DefaultMaxLength;

    /// <summary>The options used when none are given: owner-only files, one trailing newline trimmed, at most 1 MiB.</summary>
    public static SecureFileOptions Default { get; } = new();

    /// <summary>Gets whether a file its group may access (any of the mode bits 0070) is accepted. False by default.</summary>
    public bool AllowGroupReadable { get; init; }

    /// <summary>Gets whether a file other users may access (any of the mode bits 0007) is accepted. False by default.</summary>
    public bool AllowWorldReadable { get; init; }

    /// <summary>
    /// Gets whether one trailing <c>"\n"</c> or <c>"\r\n"</c> is left out, as editors and <c>echo</c> add one.
    /// True by default; set it to false for a binary key, whose last byte may be 0x0A.
    /// </summary>
    public bool TrimTrailingNewline { get; init; } = true;

    /// <summary>
    /// Gets the most bytes read, <see cref="DefaultMaxLength"/> by default. A longer file, or one that grows
    /// past it while being read, is refused with <see cref="InvalidDataException"/>, so a file that never
    /// stops growing cannot keep the read going.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or larger than <see cref="SecureBuffer.MaxLength"/>.</exception>
    public int MaxLength
    {
        get => maxLength;
        init => maxLength = SecureBuffer.CheckedMaxLength(nameof(MaxLength), value);
    }
}
