using System.Diagnostics;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// tests/Ama.Consumer built in Release, in its own process, as a user runs the library: hot loops
/// reach on-stack replacement and tier 1 with the compare and zeroing inlined, with the native
/// library absent, switched off, bundled next to the app, and named in AMA_NATIVE_LIBRARY.
/// </summary>
/// <remarks>
/// The regression: [SuppressGCTransition] P/Invokes were bound when the JIT compiled a caller
/// they were inlined into, so without the library every such run died with DllNotFoundException.
/// </remarks>
public sealed class ConsumerProcessTests(ConsumerProcessTests.ReleaseConsumer consumer) : IClassFixture<ConsumerProcessTests.ReleaseConsumer>
{
    [Fact]
    public void Runs_every_jit_tier_without_the_native_library()
    {
        Assert.False(File.Exists(Path.Combine(consumer.AppDirectory, "libama_secure_memory.so")));
        Assert.Empty(Directory.GetFiles(consumer.AppDirectory, "libama_secure_memory*", SearchOption.AllDirectories));

        string stdout = consumer.Run(nativeLibrary: null);
        Assert.Contains("backend: Managed", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_every_jit_tier_with_the_native_backend_switched_off() =>
        Assert.Contains("backend: Managed", consumer.Run(nativeLibrary: "none"), StringComparison.Ordinal);

    [Fact]
    public void Runs_every_jit_tier_with_the_native_library_named()
    {
        Assert.Contains("backend: Native", consumer.Run(nativeLibrary: NativeBuild.Library), StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_every_jit_tier_with_the_native_library_next_to_the_app()
    {
        string bundled = consumer.CopyWithBundledLibrary(NativeBuild.Library);
        Assert.Contains("backend: Native", consumer.Run(nativeLibrary: null, directory: bundled), StringComparison.Ordinal);
    }

    /// <summary>Publishes the consumer once, in Release, into a folder of its own.</summary>
    public sealed class ReleaseConsumer : IDisposable
    {
        private readonly string root = Directory.CreateTempSubdirectory("ama-consumer-").FullName;

        public ReleaseConsumer()
        {
            AppDirectory = Path.Combine(root, "app");
            string project = Path.Combine(TestHost.FindRepoRoot(), "tests", "Ama.Consumer", "Ama.Consumer.csproj");

            // Its own artifacts folder, so this build shares no obj/ or bin/ with a concurrent one.
            (int exit, string output) = Exec("dotnet", "publish", project, "-c", "Release", "-o", AppDirectory, "--artifacts-path", Path.Combine(root, "artifacts"), "-nologo");
            if (exit != 0)
            {
                throw new InvalidOperationException($"dotnet publish of the consumer failed ({exit}):\n{output}");
            }

            foreach (string stray in Directory.GetFiles(AppDirectory, "libama_secure_memory*", SearchOption.AllDirectories))
            {
                File.Delete(stray);
            }
        }

        public string AppDirectory { get; }

        /// <summary>Runs the consumer and checks that every stage passed and OSR and tier 1 were reached.</summary>
        public string Run(string? nativeLibrary, string? directory = null)
        {
            var info = new ProcessStartInfo(Path.Combine(directory ?? AppDirectory, "Ama.Consumer"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            info.Environment.Remove("AMA_NATIVE_LIBRARY");
            if (nativeLibrary is not null)
            {
                info.Environment["AMA_NATIVE_LIBRARY"] = nativeLibrary;
            }

            using Process process = Process.Start(info)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the consumer did not finish within 2 minutes");
            string output = stdout.Result;
            Assert.True(process.ExitCode == 0, $"the consumer exited {process.ExitCode}:\n{stderr.Result}\n{output}");
            foreach (string stage in new[] { "compare-32", "compare-lengths", "zero", "buffers", "tier1" })
            {
                Assert.Contains($"ok {stage}\n", output, StringComparison.Ordinal);
            }

            // The JIT's own events: the loops ran as OSR code, the small callers at tier 1.
            Assert.Contains("jit: Program::<Main>$@OSR", output, StringComparison.Ordinal);
            Assert.Contains("jit: Ama.Consumer.Stages::CompareOnce@Tier1", output, StringComparison.Ordinal);
            Assert.Contains("jit: Ama.Consumer.Stages::ZeroOnce@Tier1", output, StringComparison.Ordinal);
            return output;
        }

        public string CopyWithBundledLibrary(string library)
        {
            string copy = Path.Combine(root, "bundled");
            Directory.CreateDirectory(copy);
            foreach (string file in Directory.GetFiles(AppDirectory))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)), overwrite: true);
            }

            File.Copy(library, Path.Combine(copy, "libama_secure_memory.so"), overwrite: true);
            return copy;
        }

        public void Dispose() => Directory.Delete(root, recursive: true);

        private static (int Exit, string Output) Exec(string file, params string[] args)
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            using Process process = Process.Start(info)!;
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout + stderr.Result);
        }
    }
}
