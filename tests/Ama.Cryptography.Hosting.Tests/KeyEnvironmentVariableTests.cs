using System.Runtime.Versioning;
using System.Text;
using Ama.Cryptography.Hosting.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Tests;

/// <summary>
/// A key given in an environment variable is read once: afterwards the process's /proc/self/environ
/// no longer holds it, .NET no longer sees the variable, and a child process does not inherit it.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class KeyEnvironmentVariableTests
{
    private const string Variable = "AMA_TEST_STORE_KEY";

    [Fact]
    public async Task After_start_up_the_key_is_gone_from_proc_self_environ_from_dotnet_and_from_child_processes()
    {
        using var dir = new TempDirectory();
        string key = Convert.ToBase64String(Secrets.NewKey());
        var environment = new Dictionary<string, string?>
        {
            [Variable] = key,
            ["Ama__KeyStore__Path"] = dir.File("s.amaks"),
            ["Ama__KeyStore__CreateIfMissing"] = "true",
            ["AMA_PROBE_REPORT_ENVIRON"] = Variable,
        };

        Dictionary<string, string> consumed = await ReportAsync(environment, ["Ama__KeyStore__KeyEnvironmentVariable", Variable]);

        string environ = consumed["environ"];
        Assert.DoesNotContain(key, environ, StringComparison.Ordinal);
        Assert.Contains(Variable + "=\0", environ, StringComparison.Ordinal);
        Assert.Equal("False", consumed["variable-visible"]);
        Assert.DoesNotContain(key, consumed["child-environ"], StringComparison.Ordinal);
        Assert.DoesNotContain(consumed["child-environ"].Split('\n'), line => line.StartsWith(Variable + "=", StringComparison.Ordinal));

        // Control: the same probe given a key file leaves the variable alone, and the search finds the key.
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        environment["Ama__KeyStore__Path"] = dir.File("other.amaks");
        Dictionary<string, string> untouched = await ReportAsync(environment, ["Ama__KeyStore__KeyFile", keyFile]);
        Assert.Contains(Variable + "=" + key + "\0", untouched["environ"], StringComparison.Ordinal);
        Assert.Equal("True", untouched["variable-visible"]);
        Assert.Contains(Variable + "=" + key, untouched["child-environ"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_host_in_the_process_finds_the_variable_consumed_and_is_told_why()
    {
        using var dir = new TempDirectory();
        string variable = "AMA_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, Convert.ToBase64String(Secrets.NewKey()));
        try
        {
            using (IHost first = Hosts.Build(o => { o.Path = dir.File("s.amaks"); o.KeyEnvironmentVariable = variable; o.CreateIfMissing = true; }))
            {
                await first.StartAsync(TestContext.Current.CancellationToken);
                Assert.Null(Environment.GetEnvironmentVariable(variable));
                await first.StopAsync(TestContext.Current.CancellationToken);
            }

            Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = dir.File("s.amaks"); o.KeyEnvironmentVariable = variable; }));
            Assert.Contains("reads the key once, then removes the variable", Assert.IsType<OptionsValidationException>(e).Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    /// <summary>Starts the probe with the key store configured by <paramref name="credential"/> (a variable name and value) and returns its report, each line's first word mapped to the rest (decoded).</summary>
    private static async Task<Dictionary<string, string>> ReportAsync(Dictionary<string, string?> environment, string[] credential)
    {
        var withCredential = new Dictionary<string, string?>(environment) { [credential[0]] = credential[1] };
        await using var probe = await ProbeProcess.StartAsync(AppContext.BaseDirectory, withCredential);
        var report = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in probe.LinesBefore)
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string name = line[..space];
            string value = line[(space + 1)..];
            report[name] = name is "environ" or "child-environ" ? Encoding.UTF8.GetString(Convert.FromBase64String(value)) : value;
        }

        Assert.Contains("environ", report.Keys);
        return report;
    }
}
