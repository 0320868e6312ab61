using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// Key store files written by the library before format version 2 (commit ce1ee18, whose files are
/// format version 1, with a MAC bound to nothing), kept byte for byte so that the tests read what an
/// older release really wrote. Both hold: alpha version 1 = "alpha-1" with metadata
/// { note = "ünïcode", purpose = "fixture" }, alpha version 2 = "alpha-2", beta = "beta-1", and gamma empty.
/// </summary>
internal static class FormatVersion1Fixtures
{
    /// <summary>Gets the raw key of <see cref="RawKeyStore"/>: SHA-256 of "AMA key store format 1 fixture key".</summary>
    internal static byte[] RawKey => SHA256.HashData("AMA key store format 1 fixture key"u8);

    /// <summary>The password of <see cref="PasswordStore"/> (PBKDF2-HMAC-SHA256, 10,000 iterations).</summary>
    internal const string Password = "format-1 fixture password";

    /// <summary>Gets a raw-key store, generation 5.</summary>
    internal static byte[] RawKeyStore => Convert.FromBase64String(
        "iUFNQUtTDQoBALAAQxDQmImEZJ7+TelPqhOb5gUAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADr+gtd" +
        "35Owg6VlZg1yvHqLNmqvjfsit43PrX2sc4gx5wQAAAAAAAAAKaPTxRAGDhSyXkbBFrBhNpC2SRdOOPA79wTjLyIie3qL3ViM" +
        "7YrnMRJVZbtpr1XB2GiZv5Q3CdgctNu1AwAAAAAAAAAFYWxwaGEDAAAAAgABAAAAROV4Q6IBAAACAAQAbm90ZQkAw7xuw69j" +
        "b2RlBwBwdXJwb3NlBwBmaXh0dXJlBwAAAHYubSGSmG08TFS9ZedAlCXaWOpYJHVxl/Brq1a0ZyXxBqgZAgAAAGfleEOiAQAA" +
        "AAAHAAAAxduZirQfL2Jdx96SpC2KcUwX+mi44+0IVe9wui/bbZi0Kx4EYmV0YQIAAAABAAEAAAB55XhDogEAAAAABgAAAAi0" +
        "WoVjrS7q36dGWtjk97b6nudeCdS5OHyxj/HJtAQ0JJcFZ2FtbWECAAAAAQABAAAAjeV4Q6IBAAAAAAAAAAAtPxppbzbV3LZy" +
        "KV9LzecETY2RzMOi/EEbr2/3larLi+Rv0fE01CcQG60D/NpXQ7G1HBrfZcIp22zrBBE19I7lI+0B16PlDTqIdjSnnE1DJJJC" +
        "D2BKsn6h7Oja1Q==");

    /// <summary>Gets a password store, generation 5.</summary>
    internal static byte[] PasswordStore => Convert.FromBase64String(
        "iUFNQUtTDQoBALAAl5Ud+IbPrTtIHq+tmKCPwQUAAAAAAAAAAgAAAAAAAAAQJwAAAAAAAHX89Rh9WgZ3d4JOvUdobcK0qd9p" +
        "gZrJMKhGVMIgWVkDUjvVk6l1vJ6k8jkjDQzDRgQAAAAAAAAAJMzDvIYED3B22Pkzi7OoTdjSbb7ZUX8HE3RNCRvSL/5aAn9y" +
        "/F4nv1XvGY9aGwm5p8Dv4SN9QS+8ZzNdAwAAAAAAAAAFYWxwaGEDAAAAAgABAAAAteV4Q6IBAAACAAQAbm90ZQkAw7xuw69j" +
        "b2RlBwBwdXJwb3NlBwBmaXh0dXJlBwAAAJ2aQltTPhiZWQ72LDKZLTKbMGjtHZi+kviZ0o0DB1jtIc/HAgAAAMXleEOiAQAA" +
        "AAAHAAAAAHAEnu328juv3sEhamUvgZBYoodWmsjnDpcN/K6cmI28daMEYmV0YQIAAAABAAEAAADQ5XhDogEAAAAABgAAAL2u" +
        "gwitlIBWHiqTCdqN2qwx2v01geeTKPkm9cKxP//EDN4FZ2FtbWECAAAAAQABAAAA3eV4Q6IBAAAAAAAAAAAxN1tIjWZndXaN" +
        "930Q6WFMFy4LHfLpnuSqd0SOPFiASrc992kULEffFbigSPdJSSmtxsTvq6G4V+Rt//DYVJVtD1CI0jN02WMvvV7khu1Adq/X" +
        "Q13rOKaRZaFXew==");
}
