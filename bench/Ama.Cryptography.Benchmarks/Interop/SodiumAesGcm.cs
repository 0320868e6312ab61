using System.Runtime.InteropServices;

namespace Ama.Cryptography.Benchmarks.Interop;

/// <summary>libsodium's precomputed AES-256-GCM called directly: the floor a scrubbed call is measured against.</summary>
internal static unsafe partial class SodiumAesGcm
{
    [LibraryImport(Sodium.Library, EntryPoint = "crypto_aead_aes256gcm_statebytes")]
    internal static partial nuint StateBytes();

    [LibraryImport(Sodium.Library, EntryPoint = "crypto_aead_aes256gcm_beforenm")]
    internal static partial int BeforeNm(byte* state, byte* key);

    [LibraryImport(Sodium.Library, EntryPoint = "crypto_aead_aes256gcm_encrypt_detached_afternm")]
    internal static partial int EncryptAfterNm(byte* c, byte* mac, ulong* maclen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* state);
}
