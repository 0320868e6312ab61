using System.Security.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;
using NSec.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// Everything the key-hygiene consumer (tests/Ama.TestHost/KeyHygieneScenarios.cs) printed, and every value
/// computed from it that is as good as a key, in the forms code leaves in memory and registers. The references
/// are the test's own (AES key expansion, SHA compression) or the BCL's and NSec's, never the library's.
/// </summary>
public sealed class KeyHygieneValues
{
    /// <summary>What the consumer prints before "ready", in this order; see KeyHygieneScenarios.Keys.Print.</summary>
    public static readonly string[] KeyNames =
        ["aes-gcm", "request-aes-gcm", "chacha20-poly1305", "xchacha20-poly1305", "hmac", "hkdf-ikm", "ed25519-seed", "x25519-private"];

    private static readonly byte[] HkdfSalt = "key-hygiene-salt"u8.ToArray();
    private static readonly byte[] HkdfInfo = "key-hygiene-info"u8.ToArray();
    private static readonly byte[] CheckMessage = "key-hygiene-check"u8.ToArray();

    private readonly Dictionary<string, byte[]> keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> publics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> checks = new(StringComparer.Ordinal);
    private readonly List<byte[]> peers = [];

    /// <summary>Parses the consumer's "key", "public", "peer" and "check" lines.</summary>
    public KeyHygieneValues(IEnumerable<string> lines)
    {
        foreach (string line in lines)
        {
            string[] parts = line.Split(' ');
            switch (parts[0])
            {
                case "key":
                    keys[parts[1]] = Convert.FromHexString(parts[2]);
                    break;
                case "public":
                    publics[parts[1]] = Convert.FromHexString(parts[2]);
                    break;
                case "check":
                    checks[parts[1]] = Convert.FromHexString(parts[2]);
                    break;
                case "peer":
                    peers.Add(Convert.FromHexString(parts[1]));
                    break;
                default:
                    break;
            }
        }

        Assert.All(KeyNames, name => Assert.True(keys.ContainsKey(name), $"the consumer printed no key '{name}'"));
        Assert.Equal(3, peers.Count);
    }

    public byte[] Key(string name) => keys[name];

    /// <summary>The two AES-256 keys whose round keys the blind recovery must not find.</summary>
    public IReadOnlyList<byte[]> AesKeys => [keys["aes-gcm"], keys["request-aes-gcm"]];

    /// <summary>
    /// Recomputes each "check" line with the BCL or NSec from the printed keys, so a consumer that printed other
    /// keys than it used (and would make every search miss) fails here rather than passing the dump test.
    /// </summary>
    public void AssertPrintedKeysAreTheKeysInUse()
    {
        byte[] sealedBox = new byte[CheckMessage.Length + 16];
        using (var aes = new System.Security.Cryptography.AesGcm(keys["aes-gcm"], 16))
        {
            aes.Encrypt(new byte[12], CheckMessage, sealedBox.AsSpan(0, CheckMessage.Length), sealedBox.AsSpan(CheckMessage.Length));
        }

        AssertCheck("aes-gcm", sealedBox);
        using (var aes = new System.Security.Cryptography.AesGcm(keys["request-aes-gcm"], 16))
        {
            aes.Encrypt(new byte[12], CheckMessage, sealedBox.AsSpan(0, CheckMessage.Length), sealedBox.AsSpan(CheckMessage.Length));
        }

        AssertCheck("request-aes-gcm", sealedBox);
        using (var chacha = new System.Security.Cryptography.ChaCha20Poly1305(keys["chacha20-poly1305"]))
        {
            chacha.Encrypt(new byte[12], CheckMessage, sealedBox.AsSpan(0, CheckMessage.Length), sealedBox.AsSpan(CheckMessage.Length));
        }

        AssertCheck("chacha20-poly1305", sealedBox);
        using (var xchacha = NSec.Cryptography.Key.Import(AeadAlgorithm.XChaCha20Poly1305, keys["xchacha20-poly1305"], KeyBlobFormat.RawSymmetricKey))
        {
            AssertCheck("xchacha20-poly1305", AeadAlgorithm.XChaCha20Poly1305.Encrypt(xchacha, new byte[24], default, CheckMessage));
        }

        AssertCheck("hmac-sha256", HMACSHA256.HashData(keys["hmac"], CheckMessage));
        AssertCheck("hmac-sha512", HMACSHA512.HashData(keys["hmac"], CheckMessage));
        AssertCheck("hkdf-sha256", HKDF.DeriveKey(HashAlgorithmName.SHA256, keys["hkdf-ikm"], 32, HkdfSalt, CheckMessage));
        AssertCheck("hkdf-sha512", HKDF.DeriveKey(HashAlgorithmName.SHA512, keys["hkdf-ikm"], 32, HkdfSalt, CheckMessage));
        using (var signer = NSec.Cryptography.Key.Import(SignatureAlgorithm.Ed25519, keys["ed25519-seed"], KeyBlobFormat.RawPrivateKey))
        {
            Assert.True(signer.PublicKey.Export(KeyBlobFormat.RawPublicKey).AsSpan().SequenceEqual(publics["ed25519"]), "the Ed25519 public key does not belong to the printed seed");
        }

        using (var agreement = NSec.Cryptography.Key.Import(KeyAgreementAlgorithm.X25519, keys["x25519-private"], KeyBlobFormat.RawPrivateKey))
        {
            Assert.True(agreement.PublicKey.Export(KeyBlobFormat.RawPublicKey).AsSpan().SequenceEqual(publics["x25519"]), "the X25519 public key does not belong to the printed private key");
        }
    }

    /// <summary>The values that must be found: public keys and a marker the consumer keeps in ordinary managed arrays.</summary>
    public IReadOnlyList<KeyEquivalent> Controls()
    {
        List<KeyEquivalent> controls =
        [
            new("control", "Ed25519 public key", publics["ed25519"]),
            new("control", "X25519 public key", publics["x25519"]),
            new("control", "marker in a managed array", publics["marker"]),
        ];
        controls.AddRange(peers.Select((p, i) => new KeyEquivalent("control", $"X25519 peer public key {i + 1}", p)));
        return controls;
    }

    /// <summary>Every key-equivalent value, each named by what it is and never by its bytes.</summary>
    public IReadOnlyList<KeyEquivalent> Secrets()
    {
        var values = new List<KeyEquivalent>();
        foreach (string name in KeyNames)
        {
            byte[] key = keys[name];
            values.Add(new("raw key", $"{name} key", key));

            // A key moved through SIMD registers is split in 16-byte halves; for AES they are round keys 0 and 1.
            if (!name.Contains("aes", StringComparison.Ordinal))
            {
                values.Add(new("raw key half", $"{name} key, first half", key[..16]));
                values.Add(new("raw key half", $"{name} key, second half", key[16..]));
            }
        }

        foreach (string name in (string[])["aes-gcm", "request-aes-gcm"])
        {
            byte[] schedule = Aes256KeySchedule.Expand(keys[name]);
            for (int round = 0; round <= 14; round++)
            {
                byte[] roundKey = schedule[(round * 16)..((round + 1) * 16)];
                values.Add(new("AES round key", $"{name} round key {round}", roundKey));
                values.Add(new("AES round key", $"{name} round key {round}, byte-reversed", Reversed(roundKey)));
            }

            byte[] h = Aes256KeySchedule.HashKey(keys[name]);
            values.Add(new("GHASH key H", $"{name} H", h));
            values.Add(new("GHASH key H", $"{name} H, byte-reversed", Reversed(h)));
        }

        foreach (string name in (string[])["chacha20-poly1305", "xchacha20-poly1305"])
        {
            // SIMD ChaCha20 keeps each 32-bit key word in every lane of a register: 4 lanes in SSE, 8 in AVX2.
            byte[] key = keys[name];
            for (int word = 0; word < 8; word++)
            {
                byte[] bytes = key[(word * 4)..((word + 1) * 4)];
                values.Add(new("ChaCha20 key word, 4x broadcast", $"{name} key word {word}, 4x", Repeat(bytes, 4)));
                values.Add(new("ChaCha20 key word, 8x broadcast", $"{name} key word {word}, 8x", Repeat(bytes, 8)));
            }
        }

        AddMidstates(values, "HMAC", "hmac key", keys["hmac"]);
        foreach ((HashAlgorithmName hash, string label) in (ReadOnlySpan<(HashAlgorithmName, string)>)[(HashAlgorithmName.SHA256, "SHA-256"), (HashAlgorithmName.SHA512, "SHA-512")])
        {
            byte[] prk = HKDF.Extract(hash, keys["hkdf-ikm"], HkdfSalt);
            values.Add(new("HKDF PRK", $"HKDF-{label} PRK", prk));
            values.AddRange(Pieces(prk, 16).Select((p, i) => new KeyEquivalent("HKDF PRK", $"HKDF-{label} PRK, 16-byte piece {i}", p)));
            AddMidstates(values, "HKDF PRK", $"HKDF-{label} PRK", prk, hash);
            byte[] okm = HKDF.DeriveKey(hash, keys["hkdf-ikm"], 64, HkdfSalt, HkdfInfo);
            values.Add(new("HKDF output", $"HKDF-{label} output", okm));
            values.AddRange(Pieces(okm, 32).Select((p, i) => new KeyEquivalent("HKDF output", $"HKDF-{label} output, 32-byte piece {i}", p)));
        }

        byte[] seedHash = SHA512.HashData(keys["ed25519-seed"]);
        values.Add(new("Ed25519 expanded scalar", "Ed25519 expanded scalar (clamped)", Clamp(seedHash[..32])));
        values.Add(new("Ed25519 expanded scalar", "Ed25519 scalar before clamping", seedHash[..32]));
        values.Add(new("Ed25519 expanded scalar", "Ed25519 nonce prefix (second half of SHA-512 of the seed)", seedHash[32..]));
        values.Add(new("X25519 private scalar", "X25519 clamped private key", Clamp(keys["x25519-private"])));
        for (int i = 0; i < peers.Count; i++)
        {
            values.Add(new("X25519 shared secret", $"X25519 shared secret with peer {i + 1}", SharedSecret(keys["x25519-private"], peers[i])));
        }

        return values;
    }

    /// <summary>
    /// The HMAC inner and outer midstates of <paramref name="key"/>: for SHA-256 as a SHA256_CTX holds them
    /// (native-endian words A..H), each 16-byte half as a plain load puts it in a register, and in the SHA-NI
    /// register order (ABEF and CDGH: words F, E, B, A and H, G, D, C from the lowest byte); for SHA-512 as a
    /// SHA512_CTX holds them and in 16-byte pieces.
    /// </summary>
    private static void AddMidstates(List<KeyEquivalent> values, string kind, string label, byte[] key, HashAlgorithmName? only = null)
    {
        foreach ((byte pad, string which) in (ReadOnlySpan<(byte, string)>)[(0x36, "inner"), (0x5C, "outer")])
        {
            if (only != HashAlgorithmName.SHA512)
            {
                byte[] state = ShaMidstate.Sha256(key, pad);
                string name = $"{label} HMAC-SHA-256 {which} midstate";
                values.Add(new($"{kind} {which} midstate, context layout", $"{name}, context layout", state));
                values.Add(new($"{kind} {which} midstate, context layout", $"{name}, words A-D", state[..16]));
                values.Add(new($"{kind} {which} midstate, context layout", $"{name}, words E-H", state[16..]));
                values.Add(new($"{kind} {which} midstate, SHA-NI layout", $"{name}, SHA-NI ABEF", Words(state, 5, 4, 1, 0)));
                values.Add(new($"{kind} {which} midstate, SHA-NI layout", $"{name}, SHA-NI CDGH", Words(state, 7, 6, 3, 2)));
            }

            if (only != HashAlgorithmName.SHA256)
            {
                byte[] state = ShaMidstate.Sha512(key, pad);
                string name = $"{label} HMAC-SHA-512 {which} midstate";
                values.Add(new($"{kind} {which} midstate, context layout", $"{name}, context layout", state));
                values.AddRange(Pieces(state, 16).Select((p, i) => new KeyEquivalent($"{kind} {which} midstate, context layout", $"{name}, 16-byte piece {i}", p)));
            }
        }
    }

    private void AssertCheck(string name, byte[] expected) =>
        Assert.True(checks.TryGetValue(name, out byte[]? printed) && printed.AsSpan().SequenceEqual(expected), $"the consumer's '{name}' output does not match its printed key, so the printed keys are not the keys in use");

    private static byte[] Words(byte[] state, params int[] order) => [.. order.SelectMany(w => state[(w * 4)..((w + 1) * 4)])];

    private static IEnumerable<byte[]> Pieces(byte[] value, int size) => Enumerable.Range(0, value.Length / size).Select(i => value[(i * size)..((i + 1) * size)]);

    private static byte[] Repeat(byte[] bytes, int times) => [.. Enumerable.Repeat(bytes, times).SelectMany(b => b)];

    private static byte[] Reversed(byte[] bytes) => [.. bytes.Reverse()];

    private static byte[] Clamp(byte[] scalar)
    {
        byte[] clamped = (byte[])scalar.Clone();
        clamped[0] &= 248;
        clamped[31] &= 127;
        clamped[31] |= 64;
        return clamped;
    }

    /// <summary>The shared secret computed by NSec, so that the search does not depend on the code under test.</summary>
    private static byte[] SharedSecret(byte[] privateKey, byte[] peer)
    {
        using var key = NSec.Cryptography.Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey);
        var peerKey = PublicKey.Import(KeyAgreementAlgorithm.X25519, peer, KeyBlobFormat.RawPublicKey);
        using SharedSecret shared = KeyAgreementAlgorithm.X25519.Agree(key, peerKey, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })!;
        return shared.Export(SharedSecretBlobFormat.RawSharedSecret);
    }
}
