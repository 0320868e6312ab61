using Ama.Cryptography.DataProtection.Tests.Infrastructure;

namespace Ama.Cryptography.DataProtection.Tests;

public sealed class TwoProcessTests
{
    [Fact]
    public void A_second_process_unprotects_what_the_first_protected_through_the_shared_key_store()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        string keyFile = dir.File("store.key");
        WriteKeyFile(keyFile, DataProtectionHost.CreateStore(store));

        var first = Probe.Run(store, keyFile, "protect", "shared between processes");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.NotEmpty(first.Stdout);

        var second = Probe.Run(store, keyFile, "unprotect", first.Stdout);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal("shared between processes", second.Stdout);

        // The key ring the processes shared lives in the store, sealed under the KEK.
        using (var host = DataProtectionHost.Start(store, File.ReadAllBytes(keyFile)))
        {
            Assert.Single(host.KeyManager.GetAllKeys());
        }

        // Control: a process on another store (same credential, no key ring) cannot unprotect the payload.
        string otherStore = dir.File("other.amaks");
        string otherKeyFile = dir.File("other.key");
        WriteKeyFile(otherKeyFile, DataProtectionHost.CreateStore(otherStore));
        var other = Probe.Run(otherStore, otherKeyFile, "unprotect", first.Stdout);
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("CryptographicException", other.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A key file readable by its owner only: the host refuses one that others can read.</summary>
    private static void WriteKeyFile(string path, byte[] key)
    {
        File.WriteAllBytes(path, key);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
