namespace Ama.Cryptography.Memory;

/// <summary>What the data pages of a guarded buffer allow.</summary>
internal enum PageProtection
{
    /// <summary>Any read or write faults (PROT_NONE, PAGE_NOACCESS).</summary>
    NoAccess,

    /// <summary>Reads work, a write faults (PROT_READ, PAGE_READONLY).</summary>
    ReadOnly,

    /// <summary>The normal state (PROT_READ | PROT_WRITE, PAGE_READWRITE).</summary>
    ReadWrite,
}
