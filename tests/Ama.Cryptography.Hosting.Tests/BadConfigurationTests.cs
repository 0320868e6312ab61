using System.Text;
using Ama.Cryptography.Hosting.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Tests;

/// <summary>Each bad setting stops <c>StartAsync</c> with a message naming the option, and no secret reaches a log line or a message.</summary>
public sealed class BadConfigurationTests
{
    [Fact]
    public async Task A_missing_path_fails_validation_naming_Path()
    {
        using var dir = new TempDirectory();
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        var e = await FailAsync(o => o.KeyFile = keyFile);
        Assert.Contains("SecureKeyStorageOptions.Path", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_store_without_CreateIfMissing_fails_naming_Path_and_creates_nothing()
    {
        using var dir = new TempDirectory();
        string path = dir.File("absent.amaks");
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        var e = await FailAsync(o => { o.Path = path; o.KeyFile = keyFile; });
        Assert.Contains("SecureKeyStorageOptions.Path", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));

        // Control: the same options with CreateIfMissing start.
        using IHost host = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; });
        await host.StartAsync(TestContext.Current.CancellationToken);
        Assert.True(File.Exists(path));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("nonexistent")]
    [InlineData("directory")]
    [InlineData("short")]
    [InlineData("long")]
    public async Task A_key_file_that_cannot_serve_as_a_key_fails_naming_KeyFile_and_its_path(string kind)
    {
        using var dir = new TempDirectory();
        string keyFile = dir.File("store.key");
        byte[] content = kind switch
        {
            "short" => Secrets.NewKey()[..31],
            "long" => [.. Secrets.NewKey(), (byte)'\n'],
            _ => [],
        };
        if (kind == "directory")
        {
            Directory.CreateDirectory(keyFile);
        }
        else if (kind != "nonexistent")
        {
            Secrets.WriteOwnerOnly(keyFile, content);
        }

        var logs = new CapturingLoggerProvider();
        var e = await FailAsync(o => { o.Path = dir.File("s.amaks"); o.KeyFile = keyFile; o.CreateIfMissing = true; }, logs);
        Assert.Contains("SecureKeyStorageOptions.KeyFile", e.Message, StringComparison.Ordinal);
        Assert.Contains(keyFile, e.Message, StringComparison.Ordinal);
        if (content.Length >= 16)
        {
            Secrets.AssertNoneContains([.. logs.Lines, e.ToString()], Secrets.FormsOf(content[..16]));
        }
    }

    [Fact]
    public async Task A_wrong_password_fails_with_KeyStoreCredentialException_leaves_the_file_untouched_and_logs_no_password()
    {
        using var dir = new TempDirectory();
        string path = dir.File("pw.amaks");
        string right = Secrets.NewPassword();
        string wrong = Secrets.NewPassword();
        using (var credential = KeyStoreCredential.FromPassword(right, Secrets.FastKdf))
        using (SecureKeyStorage.Create(path, credential))
        {
        }

        string passwordFile = dir.File("password.txt");
        Secrets.WritePasswordFile(passwordFile, wrong + "\n");
        byte[] before = File.ReadAllBytes(path);
        var logs = new CapturingLoggerProvider();

        var e = await FailAsync(o => { o.Path = path; o.PasswordFile = passwordFile; }, logs);

        Assert.IsType<KeyStoreCredentialException>(e);
        Assert.Equal(before, File.ReadAllBytes(path));
        Secrets.AssertNoneContains([.. logs.Lines, e.ToString()], [wrong, right, Convert.ToHexString(Encoding.UTF8.GetBytes(wrong))]);

        // Control: the right password in the same kind of file opens it.
        Secrets.WritePasswordFile(passwordFile, right + "\r\n");
        using IHost host = Hosts.Build(o => { o.Path = path; o.PasswordFile = passwordFile; });
        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_damaged_store_fails_with_KeyStoreDamagedException_and_is_not_rewritten()
    {
        using var dir = new TempDirectory();
        string path = dir.File("damaged.amaks");
        string keyFile = dir.File("store.key");
        byte[] key = Secrets.WriteKeyFile(keyFile);
        using (var credential = KeyStoreCredential.FromKey(key))
        using (var storage = SecureKeyStorage.Create(path, credential))
        {
            storage.Store("entry", Secrets.NewKey());
        }

        byte[] damaged = File.ReadAllBytes(path);
        damaged[^20] ^= 0x01;
        File.WriteAllBytes(path, damaged);
        var logs = new CapturingLoggerProvider();

        var e = await FailAsync(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; }, logs);

        Assert.IsType<KeyStoreDamagedException>(e);
        Assert.Equal(damaged, File.ReadAllBytes(path));
        Secrets.AssertNoneContains([.. logs.Lines, e.ToString()], Secrets.FormsOf(key));
    }

    [Fact]
    public async Task Two_credential_sources_fail_naming_both()
    {
        using var dir = new TempDirectory();
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        string passwordFile = dir.File("password.txt");
        Secrets.WritePasswordFile(passwordFile, Secrets.NewPassword());
        var e = await FailAsync(o => { o.Path = dir.File("s.amaks"); o.KeyFile = keyFile; o.PasswordFile = passwordFile; o.CreateIfMissing = true; });
        Assert.Contains("SecureKeyStorageOptions.KeyFile", e.Message, StringComparison.Ordinal);
        Assert.Contains("SecureKeyStorageOptions.PasswordFile", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_credential_source_fails_listing_the_options()
    {
        using var dir = new TempDirectory();
        var e = await FailAsync(o => { o.Path = dir.File("s.amaks"); o.CreateIfMissing = true; });
        Assert.Contains("SecureKeyStorageOptions.KeyEnvironmentVariable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_variable_that_is_unset_or_not_a_key_fails_naming_the_variable_and_never_its_value()
    {
        using var dir = new TempDirectory();
        string variable = "AMA_TEST_KEY_" + Guid.NewGuid().ToString("N");
        var unset = await FailAsync(o => { o.Path = dir.File("s.amaks"); o.KeyEnvironmentVariable = variable; o.CreateIfMissing = true; });
        Assert.Contains(variable, unset.Message, StringComparison.Ordinal);
        Assert.Contains("SecureKeyStorageOptions.KeyEnvironmentVariable", unset.Message, StringComparison.Ordinal);

        byte[] halfKey = Secrets.NewKey()[..16];
        string value = Convert.ToBase64String(halfKey);
        Environment.SetEnvironmentVariable(variable, value);
        try
        {
            var logs = new CapturingLoggerProvider();
            var e = await FailAsync(o => { o.Path = dir.File("s.amaks"); o.KeyEnvironmentVariable = variable; o.CreateIfMissing = true; }, logs);
            Assert.Contains(variable, e.Message, StringComparison.Ordinal);
            Secrets.AssertNoneContains([.. logs.Lines, e.ToString()], Secrets.FormsOf(halfKey));

            // Control: a real key in the variable starts the host and creates the store.
            byte[] key = Secrets.NewKey();
            Environment.SetEnvironmentVariable(variable, Convert.ToBase64String(key));
            var goodLogs = new CapturingLoggerProvider();
            using IHost host = Hosts.Build(o => { o.Path = dir.File("s.amaks"); o.KeyEnvironmentVariable = variable; o.CreateIfMissing = true; }, goodLogs);
            await host.StartAsync(TestContext.Current.CancellationToken);
            await host.StopAsync(TestContext.Current.CancellationToken);
            Assert.True(File.Exists(dir.File("s.amaks")));
            Secrets.AssertNoneContains(goodLogs.Lines, Secrets.FormsOf(key));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    private static async Task<Exception> FailAsync(Action<SecureKeyStorageOptions> configure, CapturingLoggerProvider? logs = null)
    {
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(configure, logs));
        Assert.True(e is OptionsValidationException or KeyStoreException, $"Unexpected {e.GetType().Name}: {e.Message}");
        return e;
    }
}
