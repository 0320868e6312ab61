using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// The libsodium path (precomputed state in secure memory) and the AesGcm fallback are the same
/// AES-256-GCM: bytes sealed by one open with the other, so the file format does not depend on the host.
/// </summary>
public sealed class EntryAeadTests
{
    private static readonly byte[] StoreId = RandomNumberGenerator.GetBytes(16);
    private static readonly KeyValuePair<string, string>[] Metadata = [new("purpose", "test")];

    public static TheoryData<int> Lengths => [0, 1, 15, 16, 32, 1000];

    [Fact]
    public void The_libsodium_path_is_used_on_a_CPU_with_AES_NI_and_PCLMUL()
    {
        // On such a host a silent fall back to the per-operation AesGcm would lose both the speed and the dump protection.
        bool hardware = CpuHasAesGcmInstructions();
        Assert.Equal(hardware, SodiumEntryAead.IsAvailable);
        using var ring = KeyRing.CreateRandom();
        Assert.Equal(hardware, ring.EntrySchedule is SodiumEntryAead);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Entries_sealed_by_libsodium_open_with_AesGcm(int length)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var sodium = SodiumEntryAead.Create(key);
        using var aesGcm = new AesGcmEntryAead(key);
        AssertOpensWith(sodium, aesGcm, length);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Entries_sealed_by_AesGcm_open_with_libsodium(int length)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var sodium = SodiumEntryAead.Create(key);
        using var aesGcm = new AesGcmEntryAead(key);
        AssertOpensWith(aesGcm, sodium, length);
    }

    [Fact]
    public void Raw_libsodium_output_equals_AesGcm_output_for_the_same_key_nonce_and_associated_data()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] plaintext = RandomNumberGenerator.GetBytes(77);
        byte[] ad = RandomNumberGenerator.GetBytes(40);
        using var sodium = SodiumEntryAead.Create(key);
        using var aesGcm = new AesGcm(key, 16);
        byte[] sodiumCiphertext = new byte[77], sodiumTag = new byte[16], netCiphertext = new byte[77], netTag = new byte[16];
        sodium.Encrypt(nonce, plaintext, sodiumCiphertext, sodiumTag, ad);
        aesGcm.Encrypt(nonce, plaintext, netCiphertext, netTag, ad);
        Assert.Equal(netCiphertext, sodiumCiphertext);
        Assert.Equal(netTag, sodiumTag);
    }

    [Fact]
    public void A_different_key_does_not_open_the_entry()
    {
        // Negative control for the round trips above: they would pass for a cipher that ignores the key.
        using var sealer = SodiumEntryAead.Create(RandomNumberGenerator.GetBytes(32));
        using var opener = new AesGcmEntryAead(RandomNumberGenerator.GetBytes(32));
        var version = new EntryCipher(sealer).Seal(new KeyStoreState { StoreId = StoreId }, "k", 1, Metadata, new byte[32]);
        Assert.False(new EntryCipher(opener).TryOpen(StoreId, "k", version, new byte[32]));
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(true, 15)]
    [InlineData(false, 0)]
    [InlineData(false, 15)]
    public void A_wrong_tag_fails_and_leaves_the_destination_zeroed(bool useSodium, int tagByte)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var sodium = SodiumEntryAead.Create(key);
        using var aesGcm = new AesGcmEntryAead(key);
        IEntryAead aead = useSodium ? sodium : aesGcm;
        byte[] plaintext = RandomNumberGenerator.GetBytes(32);
        var version = new EntryCipher(aead).Seal(new KeyStoreState { StoreId = StoreId }, "k", 1, Metadata, plaintext);
        System.Runtime.InteropServices.MemoryMarshal.AsMemory(version.Sealed).Span[version.Sealed.Length - 16 + tagByte] ^= 1; // a fresh seal's own array
        byte[] destination = [.. Enumerable.Repeat((byte)0xAA, 32)];
        Assert.False(new EntryCipher(aead).TryOpen(StoreId, "k", version, destination));
        Assert.All(destination, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Other_associated_data_fails_on_the_libsodium_path()
    {
        using var sodium = SodiumEntryAead.Create(RandomNumberGenerator.GetBytes(32));
        var cipher = new EntryCipher(sodium);
        var version = cipher.Seal(new KeyStoreState { StoreId = StoreId }, "k", 1, Metadata, RandomNumberGenerator.GetBytes(32));
        Assert.True(cipher.TryOpen(StoreId, "k", version, new byte[32]));
        Assert.False(cipher.TryOpen(StoreId, "other-name", version, new byte[32]));
    }

    [Fact]
    public void The_libsodium_state_lives_in_secure_memory_and_is_gone_after_the_ring()
    {
        var ring = KeyRing.CreateRandom();
        var schedule = Assert.IsType<SodiumEntryAead>(ring.EntrySchedule);
        ring.Dispose();
        Assert.Throws<ObjectDisposedException>(() => schedule.TryDecrypt(new byte[12], [], new byte[16], [], []));
    }

    private static void AssertOpensWith(IEntryAead sealer, IEntryAead opener, int length)
    {
        byte[] plaintext = RandomNumberGenerator.GetBytes(length);
        var state = new KeyStoreState { StoreId = StoreId };
        var version = new EntryCipher(sealer).Seal(state, "name", 3, Metadata, plaintext);
        Assert.Equal(12 + length + 16, version.Sealed.Length);
        byte[] opened = new byte[length];
        Assert.True(new EntryCipher(opener).TryOpen(StoreId, "name", version, opened));
        Assert.Equal(plaintext, opened);
    }

    private static bool CpuHasAesGcmInstructions()
    {
        if (System.Runtime.Intrinsics.X86.Aes.IsSupported)
        {
            return System.Runtime.Intrinsics.X86.Pclmulqdq.IsSupported;
        }

        return System.Runtime.Intrinsics.Arm.Aes.IsSupported;
    }
}
