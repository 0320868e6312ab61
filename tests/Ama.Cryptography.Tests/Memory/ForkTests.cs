using System.Diagnostics;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// A real fork() in a process that holds a SecureBuffer: the child (native code only) reads the
/// parent's buffer address and then writes over it. Secret memory must be absent in the child,
/// anonymous pages must read as zero, and the parent's bytes must survive. The controls (a
/// pinned array and a plain MAP_SHARED mapping) show that the probe does see and overwrite data.
/// </summary>
public sealed class ForkTests
{
    private static readonly Lazy<string> Helper = new(BuildHelper);

    [Theory]
    [InlineData("secret-slab", "unmapped")]
    [InlineData("secret-guarded", "unmapped")]
    [InlineData("secret-guarded-reused", "unmapped")]
    [InlineData("locked-slab", "zero")]
    [InlineData("locked-guarded", "zero")]
    [InlineData("unlocked-slab", "zero")]
    [InlineData("unlocked-guarded", "zero")]
    public void Forked_child_cannot_read_or_overwrite_the_secret(string subject, string childSees)
    {
        (string child, string parent) = Probe(subject);
        Assert.Equal(childSees, child);
        Assert.Equal("intact", parent);
    }

    [Fact]
    public void Control_a_forked_child_reads_a_pinned_array()
    {
        (string child, string parent) = Probe("managed-array");
        Assert.Equal("data", child);
        Assert.Equal("intact", parent);
    }

    [Fact]
    public void Control_a_forked_child_reads_and_overwrites_a_shared_mapping()
    {
        (string child, string parent) = Probe("shared-mapping");
        Assert.Equal("data", child);
        Assert.Equal("overwritten", parent);
    }

    private static (string Child, string Parent) Probe(string subject)
    {
        Tools.RequireThat(OperatingSystem.IsLinux(), "the host runs Linux");
        (int exit, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("alloc-fork", [Helper.Value, subject]));
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (Field(lines, "CHILD "), Field(lines, "PARENT "));
    }

    private static string Field(string[] lines, string prefix) =>
        lines.Single(line => line.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];

    /// <summary>Compiles tests/Ama.TestHost/native/fork_probe.c once per test run.</summary>
    private static string BuildHelper()
    {
        string compiler = Tools.Require("gcc");
        string source = Path.Combine(TestHost.FindRepoRoot(), "tests", "Ama.TestHost", "native", "fork_probe.c");
        string output = Path.Combine(Directory.CreateTempSubdirectory("ama-fork-").FullName, "libfork_probe.so");
        var info = new ProcessStartInfo(compiler) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-O1", "-o", output, source })
        {
            info.ArgumentList.Add(arg);
        }

        using Process gcc = Process.Start(info)!;
        string errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        Assert.True(gcc.ExitCode == 0, $"gcc failed: {errors}");
        return output;
    }
}
