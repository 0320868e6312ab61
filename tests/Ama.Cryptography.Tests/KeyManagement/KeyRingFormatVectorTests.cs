using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;
using NSec.Cryptography;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// The test vectors of docs/keyring-format.md: KeyRingAead with the fixed nonce must produce the documented bytes, and
/// so must the format rebuilt here from NSec's AEADs, so the document, the code and an independent AEAD agree.
/// </summary>
public sealed partial class KeyRingFormatVectorTests
{
    public static TheoryData<string> VectorNames => [.. ReadVectors().Keys];

    [Fact]
    public void The_document_has_message_and_stream_vectors_for_both_algorithms()
    {
        Assert.Equal(["message-aegis256", "message-xchacha20poly1305", "stream-aegis256", "stream-xchacha20poly1305"], ReadVectors().Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public async Task KeyRingAead_produces_and_opens_the_documented_bytes(string name)
    {
        var v = ReadVectors()[name];
        var algorithm = AlgorithmOf(name);
        Tools.RequireThat(algorithm != KeyRingAlgorithm.Aegis256 || SecureAegis256.IsSupported, "libsodium runs AEGIS-256");
        using var storage = new SecureKeyStorage(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray());
        for (int i = 1; i < int.Parse(v["version"], System.Globalization.CultureInfo.InvariantCulture); i++)
        {
            storage.Store("k", new byte[32].Select(_ => (byte)0xee).ToArray());
        }

        storage.Store("k", Hex(v, "key"));
        using var ring = KeyRingAead.Open(storage, "k");
        ring.EncryptionAlgorithm = algorithm;
        byte[] random = Hex(v, name.StartsWith("stream", StringComparison.Ordinal) ? "prefix" : "nonce");
        ring.FillRandom = span => random.CopyTo(span);

        byte[] produced;
        if (name.StartsWith("stream", StringComparison.Ordinal))
        {
            ring.StreamChunkSize = int.Parse(v["chunk size"], System.Globalization.CultureInfo.InvariantCulture);
            produced = await KeyRingTestSupport.EncryptStreamAsync(ring, Hex(v, "plaintext"), Hex(v, "associated data"));
            Assert.Equal(Hex(v, "plaintext"), await KeyRingTestSupport.DecryptStreamAsync(ring, Hex(v, "ciphertext"), Hex(v, "associated data")));
        }
        else
        {
            produced = ring.Encrypt(Hex(v, "plaintext"), Hex(v, "associated data"));
            Assert.Equal(Hex(v, "plaintext"), ring.Decrypt(Hex(v, "ciphertext"), Hex(v, "associated data")));
        }

        Assert.Equal(v["ciphertext"], Convert.ToHexStringLower(produced));
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void The_documented_bytes_follow_from_the_layout_and_NSec(string name)
    {
        var v = ReadVectors()[name];
        var algorithm = AlgorithmOf(name);
        Tools.RequireThat(algorithm != KeyRingAlgorithm.Aegis256 || SecureAegis256.IsSupported, "libsodium runs AEGIS-256");
        AeadAlgorithm aead = algorithm == KeyRingAlgorithm.Aegis256 ? AeadAlgorithm.Aegis256 : AeadAlgorithm.XChaCha20Poly1305;
        using var key = Key.Import(aead, Hex(v, "key"), KeyBlobFormat.RawSymmetricKey);
        int version = int.Parse(v["version"], System.Globalization.CultureInfo.InvariantCulture);
        byte[] ad = Hex(v, "associated data");
        byte[] plaintext = Hex(v, "plaintext");
        var expected = new List<byte>();

        if (name.StartsWith("message", StringComparison.Ordinal))
        {
            byte[] header = [0x01, (byte)algorithm, .. BigEndian(version)];
            byte[] nonce = Hex(v, "nonce");
            expected.AddRange([.. header, .. nonce, .. aead.Encrypt(key, nonce, [.. header, .. ad], plaintext)]);
        }
        else
        {
            int chunkSize = int.Parse(v["chunk size"], System.Globalization.CultureInfo.InvariantCulture);
            byte[] prefix = Hex(v, "prefix");
            byte[] header = [0x02, (byte)algorithm, .. BigEndian(version), .. BigEndian(chunkSize), .. prefix];
            expected.AddRange(header);
            int chunks = Math.Max(1, (plaintext.Length + chunkSize - 1) / chunkSize);
            for (int i = 0; i < chunks; i++)
            {
                bool last = i == chunks - 1;
                byte[] nonce = [.. prefix, .. BigEndian(i), last ? (byte)1 : (byte)0];
                byte[] chunk = plaintext[(i * chunkSize)..Math.Min(plaintext.Length, (i + 1) * chunkSize)];
                expected.AddRange(aead.Encrypt(key, nonce, [.. header, .. ad], chunk));
            }
        }

        Assert.Equal(v["ciphertext"], Convert.ToHexStringLower([.. expected]));
    }

    private static KeyRingAlgorithm AlgorithmOf(string name) =>
        name.EndsWith("aegis256", StringComparison.Ordinal) ? KeyRingAlgorithm.Aegis256 : KeyRingAlgorithm.XChaCha20Poly1305;

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Hex(Dictionary<string, string> vector, string field) => Convert.FromHexString(vector[field]);

    /// <summary>Every "vector: NAME" block of the document, as field -> value (hex fields with their spaces removed).</summary>
    private static Dictionary<string, Dictionary<string, string>> ReadVectors()
    {
        string text = File.ReadAllText(Path.Combine(TestHost.FindRepoRoot(), "docs", "keyring-format.md"));
        var vectors = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        Dictionary<string, string>? current = null;
        foreach (string line in text.Split('\n'))
        {
            var m = FieldLine().Match(line.TrimEnd());
            if (!m.Success)
            {
                current = line.StartsWith("```", StringComparison.Ordinal) ? null : current;
                continue;
            }

            string field = m.Groups[1].Value;
            string value = m.Groups[2].Value.Replace(" ", "", StringComparison.Ordinal);
            if (field == "vector")
            {
                current = new Dictionary<string, string>(StringComparer.Ordinal);
                vectors.Add(value, current);
            }
            else if (current is not null)
            {
                current[field] = current.TryGetValue(field, out string? earlier) ? earlier + value : value;
            }
        }

        return vectors;
    }

    [GeneratedRegex("^([a-z][a-z ]*[a-z]):\\s*(.*)$")]
    private static partial Regex FieldLine();
}
