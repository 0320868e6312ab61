using Ama.Cryptography.Benchmarks;
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == LockedMemoryReport.Command)
{
    return LockedMemoryReport.Run(args);
}

Type[] benchmarks = typeof(Program).Assembly.GetTypes()
    .Where(type => type.IsPublic && type.GetMethods().Any(method => method.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
    .Where(type => NativeLibraryRequirement.IsConfigured || !RequiresNativeLibrary(type))
    .ToArray();

if (!NativeLibraryRequirement.IsConfigured)
{
    Console.WriteLine("// AMA_NATIVE_LIBRARY is not set: the native-backend benchmarks are left out.");
}

BenchmarkSwitcher.FromTypes(benchmarks).Run(args);
return 0;

static bool RequiresNativeLibrary(Type type) =>
    type == typeof(NativeVsManagedBenchmarks) || type == typeof(PInvokeOverheadBenchmarks);
