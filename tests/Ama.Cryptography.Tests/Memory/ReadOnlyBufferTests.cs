using System.Globalization;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// MakeReadOnly write-protects a guarded buffer's pages. Every write that must fault runs in a child
/// process (tests/Ama.TestHost, ReadOnlyScenarios), next to the same write without MakeReadOnly as
/// the negative control.
/// </summary>
public sealed class ReadOnlyBufferTests
{
    private const int SigSegvExit = 128 + 11;
    private const int SigAbrtExit = 128 + 6;

    [Theory]
    [InlineData("locked")]
    [InlineData("secret")]
    public void Span_write_to_a_read_only_buffer_is_a_fatal_access_violation_after_reads_worked(string source)
    {
        (int exit, string stdout, string stderr) = RunWrite(source, "span", "readonly");
        Assert.Contains("STATE readonly=True noaccess=False", stdout, StringComparison.Ordinal);
        Assert.Contains("READ True", stdout, StringComparison.Ordinal);
        Assert.Contains("WRITING", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SURVIVED", stdout, StringComparison.Ordinal);
        Assert.Contains("AccessViolationException", stderr, StringComparison.Ordinal);
        Assert.Equal(SigAbrtExit, exit);
    }

    [Theory]
    [InlineData("locked", "span")]
    [InlineData("secret", "span")]
    [InlineData("locked", "native")]
    [InlineData("locked", "zero")]
    public void Control_the_same_write_without_MakeReadOnly_goes_through(string source, string means)
    {
        (int exit, string stdout, string stderr) = RunWrite(source, means);
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains(means == "zero" ? "SURVIVED 00" : "SURVIVED a5", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Native_write_to_a_read_only_buffer_dies_with_SIGSEGV()
    {
        (int exit, string stdout, _) = RunWrite("locked", "native", "readonly");
        Assert.Contains("WRITING", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SURVIVED", stdout, StringComparison.Ordinal);
        Assert.Equal(SigSegvExit, exit);
    }

    [Fact]
    public void SecureMemory_Zero_of_a_read_only_span_faults_with_the_managed_backend()
    {
        (int exit, string stdout, string stderr) = RunWriteWithBackend("none", "locked", "zero", "readonly");
        Assert.DoesNotContain("SURVIVED", stdout, StringComparison.Ordinal);
        Assert.Contains("AccessViolationException", stderr, StringComparison.Ordinal);
        Assert.Equal(SigAbrtExit, exit);
    }

    [Fact]
    public void SecureMemory_Zero_of_a_read_only_span_faults_with_the_native_backend()
    {
        string library = NativeBuild.Library;
        (int exit, string stdout, string stderr) = RunWriteWithBackend(library, "locked", "zero", "readonly");
        Assert.DoesNotContain("SURVIVED", stdout, StringComparison.Ordinal);
        Assert.True(exit == SigSegvExit, $"exit {exit}: {stdout} {stderr}");

        // Control: the native backend zeroes the same buffer when it is writable.
        (exit, stdout, stderr) = RunWriteWithBackend(library, "locked", "zero");
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains("SURVIVED 00", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("locked")]
    [InlineData("secret")]
    public void MakeWritable_lets_writes_through_again(string source)
    {
        (int exit, string stdout, string stderr) = RunWrite(source, "span", "readonly", "writable");
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains("STATE readonly=False noaccess=False", stdout, StringComparison.Ordinal);
        Assert.Contains("SURVIVED a5", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("readonly", "noaccess")]
    [InlineData("noaccess", "readonly")]
    public void Access_scope_of_a_read_only_no_access_buffer_reads_but_a_write_faults(string first, string second)
    {
        (int exit, string stdout, string stderr) = RunWrite("locked", "access", first, second);
        Assert.Contains("STATE readonly=True noaccess=True", stdout, StringComparison.Ordinal);
        Assert.Contains("READ True", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SURVIVED", stdout, StringComparison.Ordinal);
        Assert.Contains("AccessViolationException", stderr, StringComparison.Ordinal);
        Assert.Equal(SigAbrtExit, exit);
    }

    [Theory]
    [InlineData("noaccess")]
    [InlineData("readonly", "noaccess", "writable")]
    [InlineData("noaccess", "readonly", "writable")]
    public void Access_scope_of_a_writable_no_access_buffer_writes(params string[] settings)
    {
        (int exit, string stdout, string stderr) = RunWrite("locked", "access", settings);
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains("STATE readonly=False noaccess=True", stdout, StringComparison.Ordinal);
        Assert.Contains("SURVIVED a5", stdout, StringComparison.Ordinal);
    }

    /// <summary>The one-page mapping is kept for reuse: its wiped bytes are read through the old address.</summary>
    [Theory]
    [InlineData("locked", "readonly")]
    [InlineData("secret", "readonly")]
    [InlineData("locked", "readonly", "noaccess")]
    [InlineData("locked")]
    public void Dispose_of_a_read_only_buffer_zeroes_it_and_the_reused_mapping_is_writable(string source, params string[] settings)
    {
        var info = TestHost.StartInfo("readonly-dispose", [source, .. settings]);
        (int exit, string stdout, string stderr) = TestHost.Run(info);
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains("DISPOSED readonly=False", stdout, StringComparison.Ordinal);
        Assert.Contains("ZEROED True", stdout, StringComparison.Ordinal);
        Assert.Contains("REUSED True", stdout, StringComparison.Ordinal);
        Assert.Contains("WRITABLE", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SecureMemorySource.LockedPages, 64, true)]
    [InlineData(SecureMemorySource.SecretMemory, 64, true)]
    [InlineData(SecureMemorySource.LockedPages, SecureBufferOptions.GuardedThreshold + 1, false)]
    public void Pages_are_mapped_read_only_exactly_while_the_buffer_is_read_only(SecureMemorySource source, int size, bool guarded)
    {
        using var buffer = new SecureBuffer(size, new SecureBufferOptions { Source = source, Guarded = guarded });
        Assert.True(buffer.IsGuarded);
        Assert.Equal("rw", Permissions(buffer.UnsafeAddress));

        buffer.MakeReadOnly();
        Assert.True(buffer.IsReadOnly);
        Assert.Equal("r-", Permissions(buffer.UnsafeAddress));
        Assert.False(buffer.Span.ContainsAnyExcept((byte)0));

        buffer.MakeWritable();
        Assert.False(buffer.IsReadOnly);
        Assert.Equal("rw", Permissions(buffer.UnsafeAddress));
    }

    [Fact]
    public void Read_only_and_no_access_are_independent_and_no_access_wins_while_it_lasts()
    {
        using var buffer = new SecureBuffer(64, new SecureBufferOptions { Guarded = true });
        buffer.MakeReadOnly();
        buffer.MakeNoAccess();
        Assert.True(buffer.IsReadOnly);
        Assert.True(buffer.IsNoAccess);
        Assert.Equal("--", Permissions(buffer.UnsafeAddress));
        Assert.Throws<InvalidOperationException>(() => buffer.Span.Length);

        using (SecureBufferAccess access = buffer.Access())
        {
            Assert.Equal("r-", Permissions(buffer.UnsafeAddress));
            Assert.Equal(0, access.Span[63]);
        }

        Assert.Equal("--", Permissions(buffer.UnsafeAddress));
        buffer.MakeWritable();
        Assert.False(buffer.IsReadOnly);
        Assert.True(buffer.IsNoAccess);
        Assert.Equal("--", Permissions(buffer.UnsafeAddress));

        using (SecureBufferAccess access = buffer.Access())
        {
            Assert.Equal("rw", Permissions(buffer.UnsafeAddress));
        }

        buffer.MakeReadOnly();
        Assert.True(buffer.IsReadOnly);
        Assert.Equal("--", Permissions(buffer.UnsafeAddress));
    }

    [Fact]
    public void Slab_buffer_refuses_MakeReadOnly_and_says_to_use_Guarded()
    {
        using var buffer = new SecureBuffer(64);
        Assert.False(buffer.IsGuarded);
        var e = Assert.Throws<InvalidOperationException>(buffer.MakeReadOnly);
        Assert.Contains("Guarded = true", e.Message, StringComparison.Ordinal);
        Assert.False(buffer.IsReadOnly);

        // Nothing changed: the slot is still writable, and MakeWritable has nothing to undo.
        buffer.Span[0] = 1;
        buffer.MakeWritable();
        Assert.Equal(1, buffer.Span[0]);
    }

    [Fact]
    public void Managed_guarded_buffer_refuses_MakeReadOnly_because_nothing_could_enforce_it()
    {
        using var buffer = new SecureBuffer(64, new SecureBufferOptions { Source = SecureMemorySource.Managed, Guarded = true });
        Assert.True(buffer.IsGuarded);
        var e = Assert.Throws<InvalidOperationException>(buffer.MakeReadOnly);
        Assert.Contains("managed memory", e.Message, StringComparison.Ordinal);
        Assert.False(buffer.IsReadOnly);
    }

    [Fact]
    public void Empty_buffer_only_records_the_setting()
    {
        using var buffer = new SecureBuffer(0, new SecureBufferOptions { Guarded = true });
        buffer.MakeReadOnly();
        Assert.True(buffer.IsReadOnly);
        Assert.True(buffer.Span.IsEmpty);
        buffer.MakeWritable();
        Assert.False(buffer.IsReadOnly);
    }

    [Fact]
    public void Disposed_buffer_is_not_read_only_and_refuses_both_calls()
    {
        var buffer = new SecureBuffer(64, new SecureBufferOptions { Guarded = true });
        buffer.Dispose();
        Assert.False(buffer.IsReadOnly);
        Assert.Throws<ObjectDisposedException>(buffer.MakeReadOnly);
        Assert.Throws<ObjectDisposedException>(buffer.MakeWritable);
    }

    private static (int Exit, string Stdout, string Stderr) RunWrite(string source, string means, params string[] settings) =>
        RunWriteWithBackend(null, source, means, settings);

    /// <summary>Runs the write scenario with AMA_NATIVE_LIBRARY set to <paramref name="native"/> (unless null).</summary>
    private static (int Exit, string Stdout, string Stderr) RunWriteWithBackend(string? native, string source, string means, params string[] settings)
    {
        var info = TestHost.StartInfo("readonly-write", [source, means, .. settings]);
        if (native is not null)
        {
            info.Environment["AMA_NATIVE_LIBRARY"] = native;
        }

        return TestHost.Run(info);
    }

    /// <summary>The read and write bits ("rw", "r-", "--") of the mapping that holds <paramref name="address"/>.</summary>
    private static string Permissions(nint address)
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            string[] fields = line.Split(' ', 3);
            string[] range = fields[0].Split('-');
            ulong start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if ((ulong)address >= start && (ulong)address < end)
            {
                return fields[1][..2];
            }
        }

        throw new InvalidOperationException($"No mapping contains 0x{address:x}.");
    }
}
