using System.Globalization;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>Secret memory cannot be read from outside the process, even by root through /proc/PID/mem.</summary>
public sealed class ProcessIsolationTests
{
    [Fact]
    public void Reading_secret_memory_through_proc_mem_fails()
    {
        using TestHost host = StartHolder(source: null);
        (nint address, string info) = ReadAddress(host);
        Assert.Contains("secret-memory", info, StringComparison.Ordinal);
        Assert.ThrowsAny<IOException>(() => ReadProcMem(host.Process.Id, address));
    }

    /// <summary>Negative control: the same read works on locked anonymous pages and returns the secret.</summary>
    [Fact]
    public void Reading_locked_pages_through_proc_mem_succeeds()
    {
        using TestHost host = StartHolder(source: "locked");
        (nint address, _) = ReadAddress(host);
        byte[] expected = new byte[Pattern.Length];
        Pattern.Fill(expected, 1001);
        Assert.Equal(expected, ReadProcMem(host.Process.Id, address));
    }

    private static TestHost StartHolder(string? source)
    {
        var info = TestHost.StartInfo("memory-hold", ["1001", "2002", "1", "false", "false"]);
        if (source is not null)
        {
            info.Environment["AMA_MEMORY_SOURCE"] = source;
        }

        return TestHost.Start(info);
    }

    private static (nint Address, string Info) ReadAddress(TestHost host)
    {
        nint address = (nint)long.Parse(host.WaitForLine("ADDR"), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        string info = host.WaitForLine("INFO");
        host.WaitForLine("READY");
        return (address, info);
    }

    private static byte[] ReadProcMem(int pid, nint address)
    {
        using var stream = new FileStream($"/proc/{pid}/mem", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        stream.Seek(address, SeekOrigin.Begin);
        byte[] bytes = new byte[Pattern.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
