using Ama.TestHost;

// Each scenario runs in a child process of a test, so the test can dump it, kill it or
// watch it crash. The first argument names the scenario; each group lives in its own file.
if (args.Length == 0)
{
    await Console.Error.WriteLineAsync("usage: Ama.TestHost <scenario> [args...]");
    return 64;
}

string scenario = args[0];
string[] rest = args[1..];
return scenario switch
{
    _ when scenario.StartsWith("memory-", StringComparison.Ordinal) => await MemoryScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("readonly-", StringComparison.Ordinal) => await ReadOnlyScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("lock-", StringComparison.Ordinal) => await LockScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("scale-keystore-", StringComparison.Ordinal) => await KeyStoreScaleScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("keystore-", StringComparison.Ordinal) => await KeyStoreScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("keyring-", StringComparison.Ordinal) => await KeyRingScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("alloc-", StringComparison.Ordinal) => await AllocScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("slab-", StringComparison.Ordinal) => await SlabScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("primitive-mac-", StringComparison.Ordinal) => await MacScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("primitive-aead-", StringComparison.Ordinal) => await AeadScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("primitive-curve-", StringComparison.Ordinal) => await CurveScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("keyhygiene-", StringComparison.Ordinal) => await KeyHygieneScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("readers-", StringComparison.Ordinal) => await ReaderScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("platform-", StringComparison.Ordinal) => await PlatformScenarios.RunAsync(scenario, rest),
    _ when scenario.StartsWith("enclave-", StringComparison.Ordinal) => await EnclaveScenarios.RunAsync(scenario, rest),
    "purge-host" => await PurgeHostScenario.RunAsync(rest),
    _ when scenario.StartsWith("purge-", StringComparison.Ordinal) => await PurgeScenarios.RunAsync(scenario, rest),
    _ => Unknown(scenario),
};

static int Unknown(string scenario)
{
    Console.Error.WriteLine($"unknown scenario '{scenario}'");
    return 64;
}
