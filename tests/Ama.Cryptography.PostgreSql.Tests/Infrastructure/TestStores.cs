using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.PostgreSql.Tests.Infrastructure;

/// <summary>Random store names and raw-key credentials, so tests share the server's ama schema without meeting.</summary>
public static class TestStores
{
    public static string NewName() => "test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeyStoreCredential.KeyLength);

    public static KeyStoreCredential Credential(byte[] key) => KeyStoreCredential.FromKey(key);
}
