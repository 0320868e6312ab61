namespace Ama.Cryptography.Memory;

/// <summary>The short, stable names of the memory sources, as status lines, JSON and advice print them.</summary>
internal static class SourceNames
{
    internal static string Of(SecureMemorySource source) => source switch
    {
        SecureMemorySource.SecretMemory => "secret-memory",
        SecureMemorySource.LockedPages => "locked-pages",
        SecureMemorySource.UnlockedPages => "unlocked-pages",
        _ => "managed",
    };
}
