using Ama.Cryptography.Benchmarks;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == LockedMemoryReport.Command)
{
    return LockedMemoryReport.Run(args);
}

Type[] benchmarks = typeof(Program).Assembly.GetTypes()
    .Where(type => type.IsPublic && type.GetMethods().Any(method => method.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
    .Where(type => NativeLibraryRequirement.IsConfigured || !RequiresNativeLibrary(type))
    .Where(type => PostgreSqlKeyStoreBenchmarks.IsConfigured || (type != typeof(PostgreSqlKeyStoreBenchmarks) && type != typeof(PostgreSqlStoreRoundTripBenchmarks)))
    .ToArray();

if (!NativeLibraryRequirement.IsConfigured)
{
    Console.WriteLine("// AMA_NATIVE_LIBRARY is not set: the native-backend benchmarks are left out.");
}

if (!PostgreSqlKeyStoreBenchmarks.IsConfigured)
{
    Console.WriteLine($"// {PostgreSqlKeyStoreBenchmarks.ConnectionVariable} is not set: the PostgreSQL key store benchmarks are left out.");
}

// Medians, and ratios of medians: the machine is shared, so means carry other people's work.
IConfig config = DefaultConfig.Instance
    .AddColumn(StatisticColumn.Median)
    .AddColumn(new MedianRatioColumn());
BenchmarkSwitcher.FromTypes(benchmarks).Run(args, config);
return 0;

static bool RequiresNativeLibrary(Type type) =>
    type == typeof(NativeVsManagedBenchmarks) || type == typeof(PInvokeOverheadBenchmarks);
