using System.Diagnostics;
using System.Text;
using Ama.Cryptography.Hosting.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Tests;

/// <summary>Credential files as users really write them: editors' line endings, FIFOs, empty passwords.</summary>
public sealed class CredentialFileEdgeCaseTests
{
    /// <summary>
    /// The <c>ama</c> command takes a password file up to its first line break; the host must read the
    /// same file as the same password, or a store made with <c>ama keystore create --password-file</c>
    /// does not open in the app.
    /// </summary>
    [Theory]
    [InlineData("\n\n")]
    [InlineData("\r")]
    [InlineData("\r\n\r\n")]
    [InlineData("\nsecond line\n")]
    public async Task A_password_file_reads_as_the_ama_command_reads_it_up_to_the_first_line_break(string ending)
    {
        using var dir = new TempDirectory();
        string path = dir.File("pw.amaks");
        string password = Secrets.NewPassword();
        using (var credential = KeyStoreCredential.FromPassword(password, Secrets.FastKdf))
        using (SecureKeyStorage.Create(path, credential))
        {
        }

        string passwordFile = dir.File("password.txt");
        Secrets.WritePasswordFile(passwordFile, password + ending);
        using IHost host = Hosts.Build(o => { o.Path = path; o.PasswordFile = passwordFile; });
        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        // Control: a password that differs after the line break's position does not open the store.
        Secrets.WritePasswordFile(passwordFile, password + "x" + ending);
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = path; o.PasswordFile = passwordFile; }));
        Assert.IsType<KeyStoreCredentialException>(e);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\nsecret-after-the-break\n")]
    public async Task A_password_file_whose_first_line_is_empty_fails_validation_naming_PasswordFile(string content)
    {
        using var dir = new TempDirectory();
        string passwordFile = dir.File("password.txt");
        Secrets.WritePasswordFile(passwordFile, content);
        var logs = new CapturingLoggerProvider();
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(
            o => { o.Path = dir.File("s.amaks"); o.PasswordFile = passwordFile; o.CreateIfMissing = true; o.Kdf = Secrets.FastKdf; }, logs));
        Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("SecureKeyStorageOptions.PasswordFile", e.Message, StringComparison.Ordinal);
        Assert.Contains(passwordFile, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("s.amaks")));
        Secrets.AssertNoneContains([.. logs.Lines, e.ToString()], ["secret-after-the-break"]);

        // Control: a password on the first line starts the host.
        Secrets.WritePasswordFile(passwordFile, Secrets.NewPassword() + content);
        using IHost host = Hosts.Build(o => { o.Path = dir.File("s.amaks"); o.PasswordFile = passwordFile; o.CreateIfMissing = true; o.Kdf = Secrets.FastKdf; });
        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A FIFO (or a device) named as a key or password file must not block the start waiting for a writer.</summary>
    [Theory]
    [InlineData("KeyFile")]
    [InlineData("PasswordFile")]
    public async Task A_FIFO_as_credential_file_fails_validation_at_once_naming_the_option(string option)
    {
        Tools.RequireThat(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "mkfifo needs a Unix system");
        using var dir = new TempDirectory();
        string fifo = dir.File("credential.fifo");
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        Action<SecureKeyStorageOptions> configure = o =>
        {
            o.Path = dir.File("s.amaks");
            o.CreateIfMissing = true;
            if (option == "KeyFile")
            {
                o.KeyFile = fifo;
            }
            else
            {
                o.PasswordFile = fifo;
            }
        };
        // Validation runs synchronously inside StartAsync, so the start runs on another thread to be timed.
        Task<Exception> start = Task.Run(() => Hosts.StartFailingAsync(Hosts.Build(configure)), TestContext.Current.CancellationToken);
        Task finished = await Task.WhenAny(start, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        if (finished != start)
        {
            // Unblock the open so the test run can end, then fail.
            using (var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write))
            {
            }

            Assert.Fail("Start-up blocked on the FIFO waiting for a writer.");
        }

        Exception e = await start;
        Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("SecureKeyStorageOptions." + option, e.Message, StringComparison.Ordinal);
        Assert.Contains(fifo, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("s.amaks")));
    }

    [Fact]
    public async Task A_key_file_that_is_a_symbolic_link_to_a_key_is_followed()
    {
        using var dir = new TempDirectory();
        string target = dir.File("real.key");
        Secrets.WriteKeyFile(target);
        string link = dir.File("link.key");
        File.CreateSymbolicLink(link, target);
        using IHost host = Hosts.Build(o => { o.Path = dir.File("s.amaks"); o.KeyFile = link; o.CreateIfMissing = true; });
        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        // Control: a dangling link is reported as a missing file naming the option.
        File.Delete(target);
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = dir.File("s.amaks"); o.KeyFile = link; }));
        Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("SecureKeyStorageOptions.KeyFile", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_file_with_invalid_UTF8_fails_naming_the_option_without_quoting_the_bytes()
    {
        using var dir = new TempDirectory();
        string passwordFile = dir.File("password.bin");
        byte[] bytes = [.. Encoding.ASCII.GetBytes("pw-leak-"), 0xFF, 0xFE, 0x80, (byte)'\n'];
        Secrets.WriteOwnerOnly(passwordFile, bytes);
        var logs = new CapturingLoggerProvider();
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(
            o => { o.Path = dir.File("s.amaks"); o.PasswordFile = passwordFile; o.CreateIfMissing = true; o.Kdf = Secrets.FastKdf; }, logs));
        Assert.Contains("SecureKeyStorageOptions.PasswordFile", e.Message, StringComparison.Ordinal);
        Secrets.AssertNoneContains([.. logs.Lines, e.ToString()], ["pw-leak-", "FF-FE-80", "FFFE80", "[FF]"]);
        Assert.False(File.Exists(dir.File("s.amaks")));
    }
}
