using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// Keying a SHA-512 SecureHmac leaves none of the message schedule of key XOR ipad / opad (W[t] + K[t], which
/// OpenSSL's SHA-512 block function stores on its stack and does not wipe) in the dead stack below the caller.
/// The control hashes the same block with a bare SHA512_Update and finds the words, so the scan can see them.
/// </summary>
public sealed unsafe class MacStackTests
{
    private const int ScanBytes = 16 * 1024;

    [Fact]
    public void Keying_leaves_no_message_schedule_word_of_the_key_blocks_on_the_stack()
    {
        Assert.Equal(0, ScheduleWordsLeftBy(KeyAnHmac));
    }

    [Fact]
    public void Control_a_bare_SHA512_Update_of_the_key_block_leaves_its_schedule_on_the_stack()
    {
        Assert.True(ScheduleWordsLeftBy(HashKeyBlockDirectly) >= 16, "the scan finds no schedule words, so it proves nothing");
    }

    private static byte[] Key()
    {
        byte[] key = new byte[64];
        Pattern.Fill(key, 5656);
        return key;
    }

    private static int ScheduleWordsLeftBy(Action<byte[]> hash)
    {
        byte[] key = Key();
        byte[] below = new byte[ScanBytes];
        byte probe = 0;
        byte* top = (byte*)Unsafe.AsPointer(ref probe);
        hash(key);

        // A plain loop, so no call overwrites the dead frames before they are read.
        for (int i = 0; i < ScanBytes; i++)
        {
            below[i] = top[i - ScanBytes];
        }

        return ShaMidstate.Sha512ScheduleWords(key, 0x36).Concat(ShaMidstate.Sha512ScheduleWords(key, 0x5C))
            .Count(word => below.AsSpan().IndexOf(word) >= 0);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void KeyAnHmac(byte[] key)
    {
        using var hmac = new SecureHmac(HashAlgorithmName.SHA512, key);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void HashKeyBlockDirectly(byte[] key)
    {
        nint library = NativeLibrary.Load("libcrypto.so.3");
        var init = (delegate* unmanaged<byte*, int>)NativeLibrary.GetExport(library, "SHA512_Init");
        var update = (delegate* unmanaged<byte*, byte*, nuint, int>)NativeLibrary.GetExport(library, "SHA512_Update");
        byte* context = stackalloc byte[216];
        byte* block = stackalloc byte[128];
        for (int i = 0; i < 128; i++)
        {
            block[i] = (byte)((i < key.Length ? key[i] : 0) ^ 0x36);
        }

        init(context);
        update(context, block, 128);
    }
}
