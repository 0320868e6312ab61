using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// A child holds live SecureBuffers with one 64-byte pattern and a plain byte[] with another;
/// real dump writers dump it, and the secret must be absent while the control is present.
/// </summary>
public sealed class DumpExposureTests : IDisposable
{
    private const int BufferCount = 8;
    private readonly string directory = Directory.CreateTempSubdirectory("ama-dumps-").FullName;
    private readonly byte[] secret = PatternFor(1001);
    private readonly byte[] control = PatternFor(2002);

    public static TheoryData<DumpKind> Kinds => [DumpKind.CreatedumpFull, DumpKind.CreatedumpWithHeap, DumpKind.Gcore];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Default_source_keeps_live_and_disposed_secrets_out_of_the_dump(DumpKind kind)
    {
        using TestHost host = StartHolder(source: null, noAccess: false);
        Assert.Contains("secret-memory", host.WaitForLine("INFO"), StringComparison.Ordinal);
        host.WaitForLine("READY");
        AssertSecretAbsent(host, kind, "live");

        host.Process.StandardInput.WriteLine("dispose");
        host.WaitForLine("DISPOSED");
        AssertSecretAbsent(host, kind, "disposed");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Locked_pages_set_to_no_access_stay_out_of_the_dump(DumpKind kind)
    {
        using TestHost host = StartHolder(source: "locked", noAccess: true);
        Assert.Contains("locked-pages", host.WaitForLine("INFO"), StringComparison.Ordinal);
        host.WaitForLine("READY");
        AssertSecretAbsent(host, kind, "live, no-access");
    }

    /// <summary>Negative control: the harness does find a live secret that nothing hides.</summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Managed_source_secret_is_found_in_the_dump(DumpKind kind)
    {
        using TestHost host = StartHolder(source: "managed", noAccess: false);
        host.WaitForLine("READY");
        string dump = DumpHarness.Dump(host.Process.Id, kind, directory);
        Assert.True(DumpHarness.CountOccurrences(dump, secret) >= 1, "the harness failed to see an unprotected secret");
    }

    /// <summary>
    /// Negative control for the no-access test: createdump ignores MADV_DONTDUMP, so readable
    /// locked pages are in its dump.
    /// </summary>
    [Fact]
    public void Readable_locked_pages_are_found_by_createdump()
    {
        using TestHost host = StartHolder(source: "locked", noAccess: false);
        host.WaitForLine("READY");
        string dump = DumpHarness.Dump(host.Process.Id, DumpKind.CreatedumpFull, directory);
        Assert.True(DumpHarness.CountOccurrences(dump, secret) >= 1, "createdump now honours MADV_DONTDUMP; update the threat model");
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static byte[] PatternFor(int seed)
    {
        byte[] bytes = new byte[Pattern.Length];
        Pattern.Fill(bytes, seed);
        return bytes;
    }

    private static TestHost StartHolder(string? source, bool noAccess)
    {
        var info = TestHost.StartInfo("memory-hold", ["1001", "2002", BufferCount.ToString(System.Globalization.CultureInfo.InvariantCulture), noAccess.ToString(), noAccess.ToString()]);
        if (source is not null)
        {
            info.Environment["AMA_MEMORY_SOURCE"] = source;
        }

        return TestHost.Start(info);
    }

    private void AssertSecretAbsent(TestHost host, DumpKind kind, string state)
    {
        string dump = DumpHarness.Dump(host.Process.Id, kind, directory);
        int secrets = DumpHarness.CountOccurrences(dump, secret);
        int controls = DumpHarness.CountOccurrences(dump, control);
        File.Delete(dump);
        Assert.True(controls >= 1, $"{kind} ({state}): the control pattern is missing, so the dump proves nothing");
        Assert.True(secrets == 0, $"{kind} ({state}): the secret pattern was found {secrets} times");
    }
}
