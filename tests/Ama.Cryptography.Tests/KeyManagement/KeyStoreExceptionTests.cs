using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

public sealed class KeyStoreExceptionTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Catching_CryptographicException_catches_a_tampered_store_and_a_wrong_key()
    {
        byte[] key = RandomKey();
        using (var storage = CreateWithKey(dir.File(), key))
        {
            storage.Store("k", [1, 2, 3]);
        }

        Assert.IsType<KeyStoreCredentialException>(OpenAndCatch(dir.File(), RandomKey()));

        byte[] file = File.ReadAllBytes(dir.File());
        file[^70] ^= 1; // inside the last entry's tag, then the checksum made right again
        FixChecksum(file);
        File.WriteAllBytes(dir.File(), file);
        Assert.IsType<KeyStoreDamagedException>(OpenAndCatch(dir.File(), key));
    }

    [Fact]
    public void Every_key_store_exception_is_a_CryptographicException()
    {
        Assert.IsAssignableFrom<CryptographicException>(new KeyStoreException());
        Assert.IsAssignableFrom<CryptographicException>(new KeyStoreDamagedException());
        Assert.IsAssignableFrom<CryptographicException>(new KeyStoreCredentialException());
    }

    private static CryptographicException? OpenAndCatch(string path, byte[] key)
    {
        try
        {
            using var storage = OpenWithKey(path, key);
            return null;
        }
        catch (CryptographicException e)
        {
            return e;
        }
    }
}
