using Microsoft.Extensions.Logging;

namespace Ama.Cryptography.DataProtection;

/// <summary>
/// The log messages of this package. They name the entry, version or key id that was wrong, and never
/// quote an element's content, which may hold a master key.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error,
        Message = "The key store entry '{Name}' version {Version} of the Data Protection key ring is not well-formed XML (line {Line}, position {Position}). It is skipped, so the key it held is unavailable; destroy that version or restore the store from a backup.")]
    internal static partial void EntryNotXml(ILogger logger, string name, int version, int line, int position);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error,
        Message = "The key store entry '{Name}' of the Data Protection key ring has {Count} versions; only the newest, version {Version}, is given to Data Protection and the older ones are skipped. An entry holds one element; destroy the versions that should not be there.")]
    internal static partial void OlderVersionsSkipped(ILogger logger, string name, int count, int version);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error,
        Message = "The key store entry '{Name}' holds Data Protection key {KeyId}, which entry '{FirstName}' already holds. It is skipped: Data Protection refuses a key ring with a key id twice.")]
    internal static partial void DuplicateKeyId(ILogger logger, string name, Guid keyId, string firstName);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "The Data Protection key {KeyId} is refused: {Reason} ProtectKeysWithSecureKeyStorage is configured, so every key's master key must be sealed by it; a key written without it was planted or written by another configuration.")]
    internal static partial void UnsealedKeyRefused(ILogger logger, string keyId, string reason);
}
