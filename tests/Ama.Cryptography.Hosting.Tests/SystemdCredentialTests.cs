using System.Diagnostics;
using System.Text;
using Ama.Cryptography.Hosting.Internal;
using Ama.Cryptography.Hosting.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Tests;

/// <summary>
/// KeyCredential and PasswordCredential: systemd credentials in $CREDENTIALS_DIRECTORY, read by the
/// library's KeyStoreCredential readers. The class sets the variable for the whole process; no other
/// class of this project reads it, and a class runs its tests one at a time.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SystemdCredentialTests : IDisposable
{
    private const string Variable = "CREDENTIALS_DIRECTORY";
    private const UnixFileMode Mode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly TempDirectory dir = new();
    private readonly string credentials;
    private readonly string? saved = Environment.GetEnvironmentVariable(Variable);

    public SystemdCredentialTests()
    {
        credentials = Directory.CreateDirectory(dir.File("credentials")).FullName;
        Environment.SetEnvironmentVariable(Variable, credentials);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Variable, saved);
        dir.Dispose();
    }

    [Fact]
    public async Task A_store_made_with_a_key_opens_with_the_key_credential_of_the_same_bytes()
    {
        byte[] key = Secrets.NewKey();
        key[^1] = (byte)'\n'; // a raw key is read as it is: no newline trimmed
        string path = dir.File("k.amaks");
        using (var credential = KeyStoreCredential.FromKey(key))
        using (SecureKeyStorage created = SecureKeyStorage.Create(path, credential))
        {
            created.Store("k", [1, 2, 3]);
        }

        Secrets.WriteOwnerOnly(Path.Combine(credentials, "store.key"), key);
        using IHost host = Hosts.Build(o => { o.Path = path; o.KeyCredential = "store.key"; });
        await host.StartAsync(Token);
        using (SecureBuffer value = host.Services.GetRequiredService<SecureKeyStorage>().Retrieve("k"))
        {
            Assert.Equal([1, 2, 3], value.Span.ToArray());
        }

        await host.StopAsync(Token);
    }

    [Fact]
    public async Task PasswordCredential_bound_from_configuration_opens_the_store_of_its_first_line()
    {
        string password = Secrets.NewPassword();
        string path = dir.File("p.amaks");
        using (var credential = KeyStoreCredential.FromPassword(password, Secrets.FastKdf))
        using (SecureKeyStorage.Create(path, credential))
        {
        }

        Secrets.WritePasswordFile(Path.Combine(credentials, "store.password"), password + "\r\nignored\n");
        Dictionary<string, string?> settings = new()
        {
            ["Ama:KeyStore:Path"] = path,
            ["Ama:KeyStore:PasswordCredential"] = "store.password",
        };
        using IHost host = Hosts.Build((s, c) => s.AddSecureKeyStorage(c), configuration: settings);
        await host.StartAsync(Token);
        await host.StopAsync(Token);

        // Control: another password in the credential does not open the store.
        Secrets.WritePasswordFile(Path.Combine(credentials, "store.password"), password + "x\n");
        Assert.IsType<KeyStoreCredentialException>(await Hosts.StartFailingAsync(Hosts.Build((s, c) => s.AddSecureKeyStorage(c), configuration: settings)));
    }

    [Fact]
    public async Task A_credential_beside_a_key_file_is_one_source_too_many()
    {
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = dir.File("s.amaks"); o.CreateIfMissing = true; o.KeyFile = keyFile; o.KeyCredential = "store.key"; }));
        Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("More than one credential", e.Message, StringComparison.Ordinal);
        Assert.Contains("SecureKeyStorageOptions.KeyCredential", e.Message, StringComparison.Ordinal);
        Assert.Contains("SecureKeyStorageOptions.KeyFile", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_source_names_the_credential_options_among_the_choices()
    {
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = dir.File("s.amaks"); o.CreateIfMissing = true; }));
        Assert.Contains("SecureKeyStorageOptions.KeyCredential", e.Message, StringComparison.Ordinal);
        Assert.Contains("SecureKeyStorageOptions.PasswordCredential", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KeyCredential")]
    [InlineData("PasswordCredential")]
    public async Task A_missing_credential_fails_validation_naming_the_option_and_the_credential(string option)
    {
        OptionsValidationException e = await FailsValidation(option, "absent");
        Assert.Contains("'absent'", e.Message, StringComparison.Ordinal);
        Assert.Contains(credentials, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("s.amaks")));
    }

    [Theory]
    [InlineData("KeyCredential")]
    [InlineData("PasswordCredential")]
    public async Task An_unset_CREDENTIALS_DIRECTORY_fails_validation(string option)
    {
        Environment.SetEnvironmentVariable(Variable, null);
        Assert.Contains("CREDENTIALS_DIRECTORY is not set", (await FailsValidation(option, "store.key")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KeyCredential")]
    [InlineData("PasswordCredential")]
    public async Task A_0644_credential_and_a_symlink_to_one_are_refused_with_the_mode(string option)
    {
        string target = Path.Combine(credentials, "open");
        Secrets.WriteOwnerOnly(target, Secrets.NewKey());
        File.SetUnixFileMode(target, Mode0644);
        File.CreateSymbolicLink(Path.Combine(credentials, "linked"), target);
        Assert.Contains("has mode 0644", (await FailsValidation(option, "open")).Message, StringComparison.Ordinal);
        Assert.Contains("has mode 0644", (await FailsValidation(option, "linked")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KeyCredential")]
    [InlineData("PasswordCredential")]
    public async Task A_FIFO_credential_fails_validation_at_once(string option)
    {
        string fifo = Path.Combine(credentials, "fifo");
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync(Token);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // The reader refuses a FIFO on the opened handle without waiting for a writer; should it ever wait, opening the writing end releases it.
        Task<OptionsValidationException> start = Task.Run(() => FailsValidation(option, "fifo"), Token);
        if (await Task.WhenAny(start, Task.Delay(TimeSpan.FromSeconds(30), Token)) != start)
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
            {
            }

            Assert.Fail("Start-up blocked on the FIFO waiting for a writer.");
        }

        Assert.Contains("a FIFO", (await start).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_or_wrong_length_credential_fails_validation_naming_it()
    {
        Secrets.WriteOwnerOnly(Path.Combine(credentials, "empty"), []);
        Secrets.WriteOwnerOnly(Path.Combine(credentials, "short.key"), new byte[16]);
        Assert.Contains("holds 0 bytes", (await FailsValidation("KeyCredential", "empty")).Message, StringComparison.Ordinal);
        Assert.Contains("empty password", (await FailsValidation("PasswordCredential", "empty")).Message, StringComparison.Ordinal);
        OptionsValidationException e = await FailsValidation("KeyCredential", "short.key");
        Assert.Contains("'short.key'", e.Message, StringComparison.Ordinal);
        Assert.Contains("holds 16 bytes", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A key file of 32 zero bytes passes the length check; the library's reader refuses it naming the option and the file, with no parameter name.</summary>
    [Fact]
    public void An_all_zero_key_file_is_refused_naming_the_option_and_the_file()
    {
        string keyFile = dir.File("zero.key");
        Secrets.WriteOwnerOnly(keyFile, new byte[KeyStoreCredential.KeyLength]);
        var options = new SecureKeyStorageOptions { Path = dir.File("s.amaks"), KeyFile = keyFile };
        using var services = new ServiceCollection().BuildServiceProvider();
        var e = Assert.Throws<InvalidOperationException>(() => CredentialReader.Read(options, services));
        Assert.Contains("SecureKeyStorageOptions.KeyFile", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{keyFile}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("all zero", e.Message, StringComparison.Ordinal);
    }

    private async Task<OptionsValidationException> FailsValidation(string option, string name)
    {
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o =>
        {
            o.Path = dir.File("s.amaks");
            o.CreateIfMissing = true;
            o.Kdf = Secrets.FastKdf;
            if (option == "KeyCredential")
            {
                o.KeyCredential = name;
            }
            else
            {
                o.PasswordCredential = name;
            }
        }));
        var failure = Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("SecureKeyStorageOptions." + option, failure.Message, StringComparison.Ordinal);
        return failure;
    }
}
