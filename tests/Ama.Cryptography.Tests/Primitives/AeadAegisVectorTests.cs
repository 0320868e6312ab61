using System.Security.Cryptography;
using System.Text.Json;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// The AEGIS-256 and AEGIS-128L test vectors of the CFRG draft (256-bit tags, Vectors/aegis): vectors 1 to 5
/// encrypt to the expected bytes and decrypt back; 6 to 9 (wrong key and nonce, a changed ciphertext, associated
/// data or tag) are rejected with <see cref="AuthenticationTagMismatchException"/> and a zeroed output. The
/// counts are asserted, so a parser that skipped everything would fail.
/// </summary>
public sealed class AeadAegisVectorTests
{
    [Theory]
    [InlineData(AeadSubject.Aegis256, "aegis256")]
    [InlineData(AeadSubject.Aegis128L, "aegis128l")]
    public void Every_draft_vector_passes(string algorithm, string section)
    {
        int valid = 0, invalid = 0;
        foreach (JsonElement test in Vectors(section))
        {
            if (test.GetProperty("result").GetString() == "valid")
            {
                AssertValid(algorithm, test);
                valid++;
            }
            else
            {
                AssertRejected(algorithm, test);
                invalid++;
            }
        }

        Assert.Equal((5, 4), (valid, invalid));
    }

    [Theory]
    [InlineData(AeadSubject.Aegis256, "aegis256")]
    [InlineData(AeadSubject.Aegis128L, "aegis128l")]
    public void Control_the_must_fail_vectors_open_once_their_one_change_is_undone(string algorithm, string section)
    {
        // Vector 7 differs from vector 4 only in the last ciphertext byte: restored, it must open, so the rejection
        // above is the change and not, say, a wrong field or a malformed vector.
        JsonElement four = Vectors(section).Single(t => t.GetProperty("tcId").GetInt32() == 4);
        JsonElement seven = Vectors(section).Single(t => t.GetProperty("tcId").GetInt32() == 7);
        byte[] ct = Hex(seven, "ct");
        ct[^1] = Hex(four, "ct")[^1];
        using var aead = AeadSubject.Create(algorithm, Hex(seven, "key"));
        byte[] opened = new byte[ct.Length];

        aead.Decrypt(Hex(seven, "nonce"), ct, Hex(seven, "tag"), opened, Hex(seven, "ad"));

        Assert.Equal(Hex(four, "msg"), opened);
    }

    private static void AssertValid(string algorithm, JsonElement test)
    {
        int id = test.GetProperty("tcId").GetInt32();
        byte[] msg = Hex(test, "msg"), ct = Hex(test, "ct"), tag = Hex(test, "tag"), nonce = Hex(test, "nonce"), ad = Hex(test, "ad");
        using var aead = AeadSubject.Create(algorithm, Hex(test, "key"));
        byte[] actualCt = new byte[msg.Length];
        byte[] actualTag = new byte[aead.TagSize];
        aead.Encrypt(nonce, msg, actualCt, actualTag, ad);
        Assert.True(ct.AsSpan().SequenceEqual(actualCt) && tag.AsSpan().SequenceEqual(actualTag), $"vector {id}: wrong ciphertext or tag");
        byte[] opened = new byte[ct.Length];
        aead.Decrypt(nonce, ct, tag, opened, ad);
        Assert.True(msg.AsSpan().SequenceEqual(opened), $"vector {id}: wrong plaintext");
    }

    private static void AssertRejected(string algorithm, JsonElement test)
    {
        int id = test.GetProperty("tcId").GetInt32();
        byte[] ct = Hex(test, "ct"), tag = Hex(test, "tag"), nonce = Hex(test, "nonce"), ad = Hex(test, "ad");
        using var aead = AeadSubject.Create(algorithm, Hex(test, "key"));
        byte[] opened = new byte[ct.Length];
        opened.AsSpan().Fill(0xAA);
        Assert.Throws<AuthenticationTagMismatchException>(() => aead.Decrypt(nonce, ct, tag, opened, ad));
        Assert.True(opened.AsSpan().IndexOfAnyExcept((byte)0) < 0, $"vector {id}: the plaintext was not zeroed");
        Assert.Throws<AuthenticationTagMismatchException>(() => aead.DecryptToSecureBuffer(nonce, ct, tag, ad).Dispose());
    }

    private static byte[] Hex(JsonElement test, string name) => Convert.FromHexString(test.GetProperty(name).GetString()!);

    private static List<JsonElement> Vectors(string section)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", "aegis", "aegis_test_vectors.json")));
        return [.. document.RootElement.GetProperty(section).EnumerateArray().Select(t => t.Clone())];
    }
}
