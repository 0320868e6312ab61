using System.Text.RegularExpressions;

namespace Ama.Cli.Tests;

/// <summary><c>ama bench --help</c> names the AES-GCM rows the table prints (issue 20, section 6).</summary>
public sealed class BenchHelpTests
{
    [Fact]
    public void Bench_help_lists_the_aes_gcm_rows_and_their_baseline()
    {
        AmaProcess.Result help = AmaProcess.Run("bench", "--help");
        Assert.True(help.ExitCode == 0, help.ToString());

        // The help wraps its description to the terminal's width; a row name may break across lines.
        string text = Regex.Replace(help.Stdout, @"\s+", " ");
        foreach (string row in (string[])["AES-GCM 64 B", "AES-GCM 16 KiB"])
        {
            Assert.Contains($"'{row}'", text, StringComparison.Ordinal);
        }

        Assert.Contains("AesGcm", text, StringComparison.Ordinal);
        Assert.Contains("not supported", text, StringComparison.Ordinal);
    }
}
