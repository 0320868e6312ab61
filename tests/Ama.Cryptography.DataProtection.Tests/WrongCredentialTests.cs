using System.Security.Cryptography;
using Ama.Cryptography.DataProtection.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection;

namespace Ama.Cryptography.DataProtection.Tests;

public sealed class WrongCredentialTests
{
    [Fact]
    public void A_copy_of_the_store_opened_with_another_credential_fails_and_is_left_byte_for_byte_unchanged()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        string payload;
        using (var a = DataProtectionHost.Start(store, storeKey))
        {
            payload = a.Protector.Protect("cookie");
        }

        string copyDir = dir.Sub("copy");
        string copy = Path.Combine(copyDir, "keys.amaks");
        File.Copy(store, copy);
        byte[] before = File.ReadAllBytes(copy);
        string[] filesBefore = Directory.GetFiles(copyDir);

        using (var wrong = DataProtectionHost.Start(copy, RandomNumberGenerator.GetBytes(32)))
        {
            var error = Assert.Throws<KeyStoreCredentialException>(() => wrong.Protector.Protect("anything"));
            Assert.Contains(copy, error.Message, StringComparison.Ordinal);
            Assert.Throws<KeyStoreCredentialException>(() => wrong.Protector.Unprotect(payload));
        }

        Assert.Equal(before, File.ReadAllBytes(copy));
        Assert.Equal(filesBefore, Directory.GetFiles(copyDir));

        // Control: the right credential opens the same copy and reads the payload, so the failure above was the credential.
        using var right = DataProtectionHost.Start(copy, storeKey);
        Assert.Equal("cookie", right.Protector.Unprotect(payload));
    }
}
