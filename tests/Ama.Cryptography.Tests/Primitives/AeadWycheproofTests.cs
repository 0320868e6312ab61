using System.Security.Cryptography;
using System.Text.Json;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// Every Wycheproof vector the fixed API can express (256-bit key, the type's nonce size, 128-bit tag)
/// passes: valid ones encrypt to the expected bytes and decrypt back; invalid ones are rejected with
/// <see cref="AuthenticationTagMismatchException"/> and a zeroed output. The counts are asserted, so
/// a parser that skipped everything would fail.
/// </summary>
public sealed class AeadWycheproofTests
{
    [Theory]
    [InlineData(AeadSubject.AesGcm, "aes_gcm_test.json", 39, 27, 250)]
    [InlineData(AeadSubject.ChaCha, "chacha20_poly1305_test.json", 256, 60, 9)]
    [InlineData(AeadSubject.XChaCha, "xchacha20_poly1305_test.json", 246, 60, 9)]
    public void Every_expressible_vector_passes(string algorithm, string file, int expectedValid, int expectedInvalid, int expectedSkipped)
    {
        int valid = 0, invalid = 0, skipped = 0;
        foreach ((JsonElement group, JsonElement test) in Vectors(file))
        {
            if (!Expressible(algorithm, group))
            {
                skipped++;
                continue;
            }

            string result = test.GetProperty("result").GetString()!;
            Assert.NotEqual("acceptable", result);
            if (result == "valid")
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

        Assert.Equal((expectedValid, expectedInvalid, expectedSkipped), (valid, invalid, skipped));
    }

    private static bool Expressible(string algorithm, JsonElement group) =>
        group.GetProperty("keySize").GetInt32() == 256
        && group.GetProperty("ivSize").GetInt32() == AeadSubject.NonceSizeOf(algorithm) * 8
        && group.GetProperty("tagSize").GetInt32() == 128;

    private static void AssertValid(string algorithm, JsonElement test)
    {
        (byte[] key, byte[] nonce, byte[] ad, byte[] msg, byte[] ct, byte[] tag) = Fields(test);
        int id = test.GetProperty("tcId").GetInt32();
        using var aead = AeadSubject.Create(algorithm, key);
        byte[] actualCt = new byte[msg.Length];
        byte[] actualTag = new byte[16];
        aead.Encrypt(nonce, msg, actualCt, actualTag, ad);
        Assert.True(ct.AsSpan().SequenceEqual(actualCt) && tag.AsSpan().SequenceEqual(actualTag), $"tcId {id}: wrong ciphertext or tag");
        byte[] opened = new byte[ct.Length];
        aead.Decrypt(nonce, ct, tag, opened, ad);
        Assert.True(msg.AsSpan().SequenceEqual(opened), $"tcId {id}: wrong plaintext");
    }

    private static void AssertRejected(string algorithm, JsonElement test)
    {
        (byte[] key, byte[] nonce, byte[] ad, _, byte[] ct, byte[] tag) = Fields(test);
        int id = test.GetProperty("tcId").GetInt32();
        using var aead = AeadSubject.Create(algorithm, key);
        byte[] opened = new byte[ct.Length];
        opened.AsSpan().Fill(0xAA);
        Assert.Throws<AuthenticationTagMismatchException>(() => aead.Decrypt(nonce, ct, tag, opened, ad));
        Assert.True(opened.AsSpan().IndexOfAnyExcept((byte)0) < 0, $"tcId {id}: the plaintext was not zeroed");
        Assert.Throws<AuthenticationTagMismatchException>(() => aead.DecryptToSecureBuffer(nonce, ct, tag, ad).Dispose());
    }

    private static (byte[] Key, byte[] Nonce, byte[] Ad, byte[] Msg, byte[] Ct, byte[] Tag) Fields(JsonElement test) =>
        (Hex(test, "key"), Hex(test, "iv"), Hex(test, "aad"), Hex(test, "msg"), Hex(test, "ct"), Hex(test, "tag"));

    private static byte[] Hex(JsonElement test, string name) => Convert.FromHexString(test.GetProperty(name).GetString()!);

    private static IEnumerable<(JsonElement Group, JsonElement Test)> Vectors(string file)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", "wycheproof", file)));
        foreach (JsonElement group in document.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (JsonElement test in group.GetProperty("tests").EnumerateArray())
            {
                yield return (group.Clone(), test.Clone());
            }
        }
    }
}
