using System.Runtime.InteropServices;

namespace Ama.Cryptography.Interop;

/// <summary>
/// The low-level SHA-256 and SHA-512 functions of the system's OpenSSL libcrypto, the library
/// that .NET itself loads on Linux. Their contexts are allocated by the caller, so they can live
/// in secure memory; the EVP and HMAC APIs allocate theirs on OpenSSL's heap.
/// </summary>
/// <remarks>
/// Function pointers bound after a successful <see cref="NativeLibrary.TryLoad(string, out nint)"/>,
/// never [LibraryImport]: see <see cref="AmaNative"/> for why a SuppressGCTransition P/Invoke of a
/// library that may be missing can kill the process. OpenSSL 3 marks SHA256_Init and friends
/// deprecated but still exports them (checked with nm -D on libcrypto.so.3).
/// </remarks>
internal readonly unsafe struct LibCrypto
{
    /// <summary>sizeof(SHA256_CTX): h[8], Nl, Nh, data[16] as 32-bit words, num, md_len.</summary>
    internal const int Sha256ContextSize = 112;

    /// <summary>sizeof(SHA512_CTX): h[8], Nl, Nh as 64-bit words, a 128-byte block, num, md_len.</summary>
    internal const int Sha512ContextSize = 216;

    /// <summary>The sonames .NET tries on Linux, newest first; both keep the same context layout.</summary>
    private static readonly string[] Names = ["libcrypto.so.3", "libcrypto.so.1.1"];

    private LibCrypto(nint library)
    {
        Sha256Init = Export(library, "SHA256_Init");
        Sha256Update = Export(library, "SHA256_Update");
        Sha256Final = Export(library, "SHA256_Final");
        Sha384Init = Export(library, "SHA384_Init");
        Sha384Update = Export(library, "SHA384_Update");
        Sha384Final = Export(library, "SHA384_Final");
        Sha512Init = Export(library, "SHA512_Init");
        Sha512Update = Export(library, "SHA512_Update");
        Sha512Final = Export(library, "SHA512_Final");
        Cleanse = Export(library, "OPENSSL_cleanse");

        // dlsym on a library's handle also searches the libraries it depends on: this is the C library's memcpy.
        MemCopy = Export(library, "memcpy");
    }

    /// <summary>int SHA256_Init(SHA256_CTX *c).</summary>
    internal void* Sha256Init { get; }

    /// <summary>int SHA256_Update(SHA256_CTX *c, const void *data, size_t len).</summary>
    internal void* Sha256Update { get; }

    /// <summary>int SHA256_Final(unsigned char *md, SHA256_CTX *c).</summary>
    internal void* Sha256Final { get; }

    /// <summary>int SHA384_Init(SHA512_CTX *c).</summary>
    internal void* Sha384Init { get; }

    /// <summary>int SHA384_Update(SHA512_CTX *c, const void *data, size_t len).</summary>
    internal void* Sha384Update { get; }

    /// <summary>int SHA384_Final(unsigned char *md, SHA512_CTX *c).</summary>
    internal void* Sha384Final { get; }

    /// <summary>int SHA512_Init(SHA512_CTX *c).</summary>
    internal void* Sha512Init { get; }

    /// <summary>int SHA512_Update(SHA512_CTX *c, const void *data, size_t len).</summary>
    internal void* Sha512Update { get; }

    /// <summary>int SHA512_Final(unsigned char *md, SHA512_CTX *c).</summary>
    internal void* Sha512Final { get; }

    /// <summary>Gets void OPENSSL_cleanse(void *ptr, size_t len).</summary>
    internal void* Cleanse { get; }

    /// <summary>Gets void *memcpy(void *dest, const void *src, size_t n).</summary>
    internal void* MemCopy { get; }

    /// <summary>
    /// Loads libcrypto and binds the SHA exports, or returns null with the reason. AMA_LIBCRYPTO names
    /// another file to load instead (for tests of the unsupported path, and for unusual installs).
    /// </summary>
    internal static LibCrypto? TryLoad(out string? problem)
    {
        if (OperatingSystem.IsWindows() || Platform.IsMacOS || OperatingSystem.IsIOS())
        {
            problem = "the system's libcrypto is not a platform library here (CNG or CommonCrypto would be needed)";
            return null;
        }

        string? overridden = Environment.GetEnvironmentVariable("AMA_LIBCRYPTO");
        foreach (string name in string.IsNullOrEmpty(overridden) ? Names : [overridden])
        {
            if (NativeLibrary.TryLoad(name, out nint library))
            {
                return Bind(library, name, out problem);
            }
        }

        problem = $"none of {string.Join(", ", string.IsNullOrEmpty(overridden) ? Names : [overridden])} could be loaded";
        return null;
    }

    private static void* Export(nint library, string name) => (void*)NativeLibrary.GetExport(library, name);

    private static LibCrypto? Bind(nint library, string name, out string? problem)
    {
        try
        {
            problem = null;
            return new LibCrypto(library);
        }
        catch (EntryPointNotFoundException e)
        {
            problem = $"{name} lacks a SHA export: {e.Message}";
            return null;
        }
    }
}
