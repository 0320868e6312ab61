using System.Security.Cryptography;
using System.Text.Json;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// Every Wycheproof vector for Ed25519 verification and X25519 agreement (Vectors/wycheproof). The counts are
/// asserted per category, so a parser that silently skips vectors fails.
/// </summary>
public sealed class CurveWycheproofTests
{
    [Fact]
    public void Ed25519_accepts_every_valid_and_rejects_every_invalid_signature()
    {
        int valid = 0;
        int invalid = 0;
        var failures = new List<string>();
        foreach ((JsonElement group, JsonElement test) in Vectors("ed25519_test.json"))
        {
            byte[] publicKey = Hex(group.GetProperty("publicKey"), "pk");
            bool expected = Result(test) switch
            {
                "valid" => true,
                "invalid" => false,
                string other => throw new InvalidDataException($"unexpected result {other}"),
            };
            bool actual = SecureEd25519.Verify(publicKey, Hex(test, "msg"), Hex(test, "sig"));
            if (actual != expected)
            {
                failures.Add($"tcId {test.GetProperty("tcId").GetInt32()}: expected {expected}");
            }

            _ = expected ? valid++ : invalid++;
        }

        TestContext.Current.SendDiagnosticMessage($"Wycheproof Ed25519: {valid} valid accepted, {invalid} invalid rejected");
        Assert.Empty(failures);
        Assert.Equal(88, valid);
        Assert.Equal(63, invalid);
    }

    [Fact]
    public void X25519_computes_every_shared_secret_and_refuses_every_zero_one()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        foreach ((_, JsonElement test) in Vectors("x25519_test.json"))
        {
            byte[] shared = Hex(test, "shared");
            string category = $"{Result(test)}{(shared.AsSpan().ContainsAnyExcept((byte)0) ? string.Empty : " zero-shared (must throw)")}";
            counts[category] = counts.GetValueOrDefault(category) + 1;
            string? failure = Check(Hex(test, "private"), Hex(test, "public"), shared);
            if (failure is not null)
            {
                failures.Add($"tcId {test.GetProperty("tcId").GetInt32()}: {failure}");
            }
        }

        TestContext.Current.SendDiagnosticMessage("Wycheproof X25519: " + string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}")));
        Assert.Empty(failures);
        Assert.Equal(264, counts["valid"]);
        Assert.Equal(223, counts["acceptable"]);
        Assert.Equal(31, counts["acceptable zero-shared (must throw)"]);
        Assert.Equal(3, counts.Count);
    }

    private static string? Check(byte[] privateKey, byte[] peer, byte[] expected)
    {
        using var key = SecureX25519.FromPrivateKey(privateKey);
        if (!expected.AsSpan().ContainsAnyExcept((byte)0))
        {
            try
            {
                using SecureBuffer leaked = key.DeriveSharedSecret(peer);
                return "a zero shared secret was returned instead of refused";
            }
            catch (CryptographicException)
            {
                return null;
            }
        }

        using SecureBuffer shared = key.DeriveSharedSecret(peer);
        return shared.Span.SequenceEqual(expected) ? null : "wrong shared secret";
    }

    private static string Result(JsonElement test) => test.GetProperty("result").GetString()!;

    private static byte[] Hex(JsonElement element, string name) => Convert.FromHexString(element.GetProperty(name).GetString()!);

    private static List<(JsonElement Group, JsonElement Test)> Vectors(string file)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", "wycheproof", file)));
        var all = new List<(JsonElement Group, JsonElement Test)>();
        foreach (JsonElement group in document.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (JsonElement test in group.GetProperty("tests").EnumerateArray())
            {
                all.Add((group.Clone(), test.Clone()));
            }
        }

        Assert.Equal(document.RootElement.GetProperty("numberOfTests").GetInt32(), all.Count);
        return all;
    }
}
