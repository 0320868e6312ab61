using System.Security.Cryptography;

namespace Ama.Cryptography.PostgreSql.Tests.Infrastructure;

/// <summary>
/// The rows of a PostgreSQL store written by the library before format version 2 (commit ce1ee18:
/// format version 1, whose MAC is bound to nothing), as that code left them in ama.key_stores and
/// ama.key_entries, byte for byte. It holds alpha version 1 = "alpha-1" with metadata
/// { note = "ünïcode", purpose = "fixture" }, alpha version 2 = "alpha-2", beta = "beta-1", and gamma empty.
/// </summary>
public static class FormatVersion1Rows
{
    public const long Generation = 5;

    /// <summary>Gets the raw key the store was created with: SHA-256 of "AMA key store format 1 fixture key".</summary>
    public static byte[] RawKey => SHA256.HashData("AMA key store format 1 fixture key"u8);

    public static byte[] Header => Convert.FromBase64String(
        "iUFNQUtTDQoBALAAPizMfB6XgJEWgtavwWg7pAUAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAjhk1G" +
        "oCWQqSaM7AWmiTC+9WtUwHEpRywishNvU1UlBAQAAAAAAAAA05AvbrMQvzDPobEjrkIlOynJUzNzUZkt0Op66EThwk2UaaA3" +
        "Inujeasl103a3RmMx+BUR0FuphR41drMAwAAAAAAAAA=");

    public static byte[] Mac => Convert.FromBase64String(
        "kK16Et5iJdbLA3WxXqR3Y1wBJcblpIVJqpm0nIY7Mln3NMSo2trVZloh9me2DllTxzZgEKITExXzEbasLo2ntQ==");

    public static (string Name, byte[] Record)[] Entries =>
    [
        ("alpha", Convert.FromBase64String(
            "BWFscGhhAwAAAAIAAQAAAIvpeEOiAQAAAgAEAG5vdGUJAMO8bsOvY29kZQcAcHVycG9zZQcAZml4dHVyZQcAAABJRqqVZrPE" +
            "clE1ejk69Bxv6JGu3CbwvAcl7D/bRaevBj5xdAIAAAB56nhDogEAAAAABwAAABdbzwIgXObaiLzra3KrGzV4w1jlhZqsysS7" +
            "Ag3CgVKeZ/DZ")),
        ("beta", Convert.FromBase64String(
            "BGJldGECAAAAAQABAAAAjOp4Q6IBAAAAAAYAAABzoiZxRC+JzKcDKzK/FpANdW+YY+Q/xpY47sNpiMazxbpB")),
        ("gamma", Convert.FromBase64String(
            "BWdhbW1hAgAAAAEAAQAAAJPqeEOiAQAAAAAAAAAAP3V4QGw6wr3gMbeHiV95LjX2hmeOSCDJ1goK4A==")),
    ];
}
