using System.Runtime.Versioning;
using Ama.Cryptography.Hosting.Internal;
using Ama.Cryptography.Hosting.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Tests;

/// <summary>A key or password file that its group or other users can reach is refused at start-up, as ssh refuses such a private key.</summary>
[SupportedOSPlatform("linux")]
public sealed class CredentialFileModeTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("KeyFile", 0b110_100_100, "0644")]
    [InlineData("KeyFile", 0b110_100_000, "0640")]
    [InlineData("KeyFile", 0b100_000_100, "0404")]
    [InlineData("PasswordFile", 0b110_100_100, "0644")]
    [InlineData("PasswordFile", 0b110_110_000, "0660")]
    [InlineData("PasswordFile", 0b110_000_010, "0602")]
    public async Task A_credential_file_others_can_reach_fails_start_up_naming_the_option_the_file_its_mode_and_the_fix(string option, int mode, string shown)
    {
        using var dir = new TempDirectory();
        string file = WriteCredential(dir, option);
        string store = dir.File("s.amaks");
        File.SetUnixFileMode(file, (UnixFileMode)mode);

        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => Configure(o, option, file, store)));

        string failure = Assert.Single(Assert.IsType<OptionsValidationException>(e).Failures);
        Assert.Contains("SecureKeyStorageOptions." + option, failure, StringComparison.Ordinal);
        Assert.Contains($"'{file}' has mode {shown}", failure, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 '{file}'", failure, StringComparison.Ordinal);
        Assert.Contains("SecureKeyStorageOptions.AllowGroupOrWorldReadableCredentialFiles", failure, StringComparison.Ordinal);
        Assert.False(File.Exists(store));

        // Control: the same file made the owner's alone (0600, or 0400) starts the host.
        foreach (UnixFileMode ownerOnly in (UnixFileMode[])[UnixFileMode.UserRead | UnixFileMode.UserWrite, UnixFileMode.UserRead])
        {
            File.SetUnixFileMode(file, ownerOnly);
            using IHost host = Hosts.Build(o => Configure(o, option, file, store));
            await host.StartAsync(Token);
            await host.StopAsync(Token);
        }
    }

    [Fact]
    public async Task A_symbolic_link_to_a_world_readable_key_file_is_refused_by_the_mode_of_the_file_it_names()
    {
        using var dir = new TempDirectory();
        string target = WriteCredential(dir, "KeyFile");
        File.SetUnixFileMode(target, (UnixFileMode)0b110_100_100);
        string link = dir.File("link.key");
        File.CreateSymbolicLink(link, target);

        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => Configure(o, "KeyFile", link, dir.File("s.amaks"))));

        Assert.Contains("has mode 0644", Assert.IsType<OptionsValidationException>(e).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_options_are_named_by_their_keys_and_the_opt_out_accepts_the_file()
    {
        using var dir = new TempDirectory();
        string keyFile = WriteCredential(dir, "KeyFile");
        File.SetUnixFileMode(keyFile, (UnixFileMode)0b110_100_100);
        Dictionary<string, string?> settings = new()
        {
            ["Ama:KeyStore:Path"] = dir.File("s.amaks"),
            ["Ama:KeyStore:KeyFile"] = keyFile,
            ["Ama:KeyStore:CreateIfMissing"] = "true",
        };

        Exception e = await Hosts.StartFailingAsync(Hosts.Build((s, c) => s.AddSecureKeyStorage(c), configuration: settings));
        string failure = Assert.Single(Assert.IsType<OptionsValidationException>(e).Failures);
        Assert.StartsWith("Ama:KeyStore:KeyFile (SecureKeyStorageOptions.KeyFile):", failure, StringComparison.Ordinal);
        Assert.Contains("set Ama:KeyStore:AllowGroupOrWorldReadableCredentialFiles (SecureKeyStorageOptions.AllowGroupOrWorldReadableCredentialFiles) to true", failure, StringComparison.Ordinal);

        settings["Ama:KeyStore:AllowGroupOrWorldReadableCredentialFiles"] = "true";
        using IHost host = Hosts.Build((s, c) => s.AddSecureKeyStorage(c), configuration: settings);
        await host.StartAsync(Token);
        await host.StopAsync(Token);
    }

    [Theory]
    [InlineData("KeyFile")]
    [InlineData("PasswordFile")]
    public async Task The_opt_out_set_in_code_accepts_a_world_readable_file(string option)
    {
        using var dir = new TempDirectory();
        string file = WriteCredential(dir, option);
        File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
        using IHost host = Hosts.Build(o =>
        {
            Configure(o, option, file, dir.File("s.amaks"));
            o.AllowGroupOrWorldReadableCredentialFiles = true;
        });
        await host.StartAsync(Token);
        await host.StopAsync(Token);
    }

    /// <summary>The file is checked again on the handle the credential is read from, so one opened up after validation is refused too.</summary>
    [Fact]
    public void The_reader_checks_the_mode_of_the_file_it_opened()
    {
        using var dir = new TempDirectory();
        string keyFile = WriteCredential(dir, "KeyFile");
        var options = new SecureKeyStorageOptions { Path = dir.File("s.amaks"), KeyFile = keyFile };
        using var services = new ServiceCollection().BuildServiceProvider();
        CredentialReader.Read(options, services).Dispose();

        File.SetUnixFileMode(keyFile, (UnixFileMode)0b110_100_100);
        var e = Assert.Throws<InvalidOperationException>(() => CredentialReader.Read(options, services));
        Assert.Contains("SecureKeyStorageOptions.KeyFile", e.Message, StringComparison.Ordinal);
        Assert.Contains("has mode 0644", e.Message, StringComparison.Ordinal);
    }

    private static string WriteCredential(TempDirectory dir, string option)
    {
        if (option == "KeyFile")
        {
            string keyFile = dir.File("store.key");
            Secrets.WriteKeyFile(keyFile);
            return keyFile;
        }

        string passwordFile = dir.File("password.txt");
        Secrets.WritePasswordFile(passwordFile, Secrets.NewPassword() + "\n");
        return passwordFile;
    }

    private static void Configure(SecureKeyStorageOptions o, string option, string file, string store)
    {
        o.Path = store;
        o.CreateIfMissing = true;
        o.Kdf = Secrets.FastKdf;
        if (option == "KeyFile")
        {
            o.KeyFile = file;
        }
        else
        {
            o.PasswordFile = file;
        }
    }
}
