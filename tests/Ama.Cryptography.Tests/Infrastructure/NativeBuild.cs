using System.Diagnostics;

namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>
/// The native library (native/, CMake) for the tests that load it, built by the tests themselves
/// so that their outcome does not depend on whether native/ci.sh, or the pack test later in the
/// same run, has built it first.
/// </summary>
/// <remarks>
/// native/build is configured exactly as eng/NativeAssets.targets and native/ci.sh configure it, and
/// built under the same <c>flock native/build/.pack.lock</c> as a pack, so a <c>dotnet pack</c> or
/// the package test running at the same time waits rather than collides. With the toolchain there
/// the build runs once per test process (a no-op when native/build is up to date, so the tests never
/// load a library older than its source); without it, a library already in native/build is used,
/// and only when there is none do the tests skip (fail under AMA_REQUIRE_TOOLS=1). The tests load a
/// private copy taken under the lock, so a concurrent pack that relinks native/build cannot change
/// the file under a running test.
/// </remarks>
public static class NativeBuild
{
    public const string FileName = "libama_secure_memory.so";

    private static readonly Lazy<string?> Built = new(Build);

    public static string NativeDirectory => Path.Combine(TestHost.FindRepoRoot(), "native");

    public static string BuildDirectory => Path.Combine(NativeDirectory, "build");

    /// <summary>
    /// The path of an up-to-date native library; builds it on first use. Skips the test (fails it in
    /// CI) when it cannot be built for want of a toolchain and native/build holds none.
    /// </summary>
    public static string Library
    {
        get
        {
            string? library = Built.Value;
            Tools.RequireThat(
                library is not null,
                "cmake, make, flock and a C compiler are installed, so the tests can build the native library in native/build (or native/ci.sh has built it)");
            return library!;
        }
    }

    private static string? Build()
    {
        string library = Path.Combine(BuildDirectory, FileName);
        string? cmake = Tools.Find("cmake");
        string? flock = Tools.Find("flock");
        bool toolchain = cmake is not null && flock is not null && Tools.Find("make") is not null && CCompiler() is not null;
        if (!toolchain)
        {
            return File.Exists(library) ? Snapshot(library) : null;
        }

        Directory.CreateDirectory(BuildDirectory);

        // The configure and build line of eng/NativeAssets.targets (linux-x64), and its lock; the
        // copy is taken inside the lock too. Paths go in as positional parameters, never quoted
        // into the script.
        string snapshot = SnapshotPath();
        const string Script =
            "cmake -S \"$1\" -B \"$2\" -DCMAKE_BUILD_TYPE=Release && cmake --build \"$2\" --target ama_secure_memory && cp \"$2/$3\" \"$4\"";
        var info = new ProcessStartInfo(flock!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { Path.Combine(BuildDirectory, ".pack.lock"), "sh", "-c", Script, "sh", NativeDirectory, BuildDirectory, FileName, snapshot })
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("flock did not start.");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Building the native library in {BuildDirectory} did not finish in 10 minutes:\n{stdout.Result}{stderr.Result}");
        }

        if (process.ExitCode != 0)
        {
            // A toolchain that is present but fails is a broken build, not a missing tool: never a skip.
            throw new InvalidOperationException($"Building the native library in {BuildDirectory} failed ({process.ExitCode}):\n{stdout.Result}{stderr.Result}");
        }

        return snapshot;
    }

    /// <summary>The C compiler CMake would pick: $CC, else cc, else gcc.</summary>
    private static string? CCompiler() =>
        (Environment.GetEnvironmentVariable("CC") is { Length: > 0 } cc ? Tools.Find(cc.Split(' ')[0]) : null)
        ?? Tools.Find("cc")
        ?? Tools.Find("gcc");

    private static string Snapshot(string library)
    {
        string copy = SnapshotPath();
        File.Copy(library, copy);
        return copy;
    }

    /// <summary>A path in a fresh temporary directory, removed when the test process ends.</summary>
    private static string SnapshotPath()
    {
        string directory = Directory.CreateTempSubdirectory("ama-native-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left in /tmp; nothing secret is in it.
            }
        };
        return Path.Combine(directory, FileName);
    }
}
