using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ama.Cryptography;

namespace Ama.Cli.Bench;

/// <summary><c>ama bench</c>: a short look at compare, zero, allocate, HMAC and AES-GCM against the BCL baselines.</summary>
internal static class BenchCommand
{
    internal static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "Warm up and measure for less time (about 2 s instead of 10 s)." };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON instead of a table." };
        var command = new Command(
            "bench",
            "Run a short in-process benchmark of compare, zero, allocate, HMAC-SHA-256 and AES-GCM encryption against the BCL baselines " +
            "(FixedTimeEquals, ZeroMemory, pinned arrays, IncrementalHash, AesGcm) with the active backend. " +
            $"The AES-GCM rows ('{AeadFixture.SmallRow}', '{AeadFixture.LargeRow}': SecureAesGcm.Encrypt against AesGcm.Encrypt) " +
            "are left out where SecureAesGcm is not supported (no AES-NI/PCLMULQDQ). Rough numbers for this host; " +
            "not for speed claims (use the BenchmarkDotNet project in bench/).")
        {
            quick,
            json,
        };
        command.SetAction(result => Run(result.GetValue(quick), result.GetValue(json)));
        return HelpExamples.With(
            command,
            "ama bench --quick",
            "ama bench",
            "AMA_NATIVE_LIBRARY=none ama bench --quick    # the managed backend, when the native one is installed",
            "ama bench --quick --json | jq '.results[] | {name, speedup}'");
    }

    private static int Run(bool quick, bool asJson)
    {
        SecureMemoryStatus status = SecureMemory.GetStatus();
        string backend = status.Backend == SecureMemoryBackend.Native ? $"native {status.NativeVersion}" : "managed";
        BenchRunner runner = quick ? BenchRunner.Quick : BenchRunner.Full;
        using var fixtures = new BenchFixtures();
        using var hmac = new HmacBenchCases();
        IReadOnlyList<BenchCase> cases = [.. fixtures.Cases(), .. hmac.Cases()];
        var results = new List<BenchResult>();
        using (var progress = new ProgressDisplay(cases.Count * 2))
        {
            foreach (BenchCase benchCase in cases)
            {
                progress.Step($"{benchCase.Name}: ama");
                double library = runner.Measure(benchCase.Library);
                progress.Step($"{benchCase.Name}: {benchCase.Baseline}");
                double baseline = runner.Measure(benchCase.BaselineOperation);
                results.Add(new BenchResult(benchCase.Name, benchCase.Baseline, library, baseline));
            }
        }

        if (asJson)
        {
            var document = new BenchDocument(1, backend, Status.Names.Source(status.MemorySource), quick, results);
            Console.WriteLine(JsonSerializer.Serialize(document, BenchJsonContext.Default.BenchDocument));
        }
        else
        {
            WriteTable(results, backend, status.MemorySource);
        }

        return ExitCodes.Success;
    }

    private static void WriteTable(List<BenchResult> results, string backend, SecureMemorySource source)
    {
        bool color = Terminal.UseColor(Terminal.StdoutIsTerminal);
        Console.WriteLine($"backend {backend}, memory source {Status.Names.Source(source)}, {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} CPUs");
        Console.WriteLine($"{"operation",-22}{"ama",12}  {"baseline",-18}{"baseline",12}  {"ratio",8}");
        foreach (BenchResult result in results)
        {
            string ratio = result.Speedup.ToString("0.00", CultureInfo.InvariantCulture) + "x";
            ConsoleColor tone = result.Speedup >= 1 ? ConsoleColor.Green : ConsoleColor.Yellow;
            Console.WriteLine($"{result.Name,-22}{Time(result.LibraryNanoseconds),12}  {result.Baseline,-18}{Time(result.BaselineNanoseconds),12}  {Terminal.Paint($"{ratio,8}", tone, color)}");
        }

        Console.WriteLine("ratio = baseline time / ama time (above 1: ama is faster). A rough in-process look; bench/ holds the real benchmarks.");
    }

    private static string Time(double nanoseconds) => nanoseconds >= 1000
        ? (nanoseconds / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " us"
        : nanoseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ns";

    /// <summary>The inputs of the benchmark; all are test data, never secrets, and are zeroed anyway on dispose.</summary>
    private sealed class BenchFixtures : IDisposable
    {
        private const int Small = 32;
        private const int Large = 4096;
        private readonly SecureBuffer smallLeft = SecureMemory.RandomBytes(Small);
        private readonly SecureBuffer smallRight = new(Small);
        private readonly SecureBuffer largeLeft = SecureMemory.RandomBytes(Large);
        private readonly SecureBuffer largeRight = new(Large);
        private readonly byte[] smallArray = GC.AllocateArray<byte>(Small, pinned: true);
        private readonly byte[] largeArray = GC.AllocateArray<byte>(Large, pinned: true);
        private readonly AeadFixture aead = new();

        internal BenchFixtures()
        {
            smallLeft.Span.CopyTo(smallRight.Span);
            largeLeft.Span.CopyTo(largeRight.Span);
        }

        internal IReadOnlyList<BenchCase> Cases() => [.. MemoryCases(), .. aead.Cases()];

        private List<BenchCase> MemoryCases() =>
        [
            new("compare 32 B", "FixedTimeEquals",
                () => SecureMemory.ConstantTimeEquals(smallLeft.Span, smallRight.Span),
                () => CryptographicOperations.FixedTimeEquals(smallLeft.Span, smallRight.Span)),
            new("compare 4 KiB", "FixedTimeEquals",
                () => SecureMemory.ConstantTimeEquals(largeLeft.Span, largeRight.Span),
                () => CryptographicOperations.FixedTimeEquals(largeLeft.Span, largeRight.Span)),
            new("zero 32 B", "ZeroMemory",
                () => SecureMemory.Zero(smallArray),
                () => CryptographicOperations.ZeroMemory(smallArray)),
            new("zero 4 KiB", "ZeroMemory",
                () => SecureMemory.Zero(largeArray),
                () => CryptographicOperations.ZeroMemory(largeArray)),
            new("allocate+free 32 B", "pinned array",
                () => new SecureBuffer(Small).Dispose(),
                () => CryptographicOperations.ZeroMemory(GC.AllocateArray<byte>(Small, pinned: true))),
            new("allocate+free 4 KiB", "pinned array",
                () => new SecureBuffer(Large).Dispose(),
                () => CryptographicOperations.ZeroMemory(GC.AllocateArray<byte>(Large, pinned: true))),
        ];

        public void Dispose()
        {
            smallLeft.Dispose();
            smallRight.Dispose();
            largeLeft.Dispose();
            largeRight.Dispose();
            aead.Dispose();
        }
    }
}

/// <summary>The JSON of <c>ama bench --json</c>; times in nanoseconds per operation.</summary>
internal sealed record BenchDocument(int SchemaVersion, string Backend, string MemorySource, bool Quick, IReadOnlyList<BenchResult> Results);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BenchDocument))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
