using System.CommandLine;

namespace Ama.Cli.Bench;

internal static class BenchCommand
{
    internal static Command Create() => new("bench", "Benchmark.");
}
