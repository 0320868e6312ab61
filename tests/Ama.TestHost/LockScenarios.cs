namespace Ama.TestHost;

/// <summary>Child-process scenarios for the SecureMemory.Lock tests.</summary>
internal static class LockScenarios
{
    internal static Task<int> RunAsync(string scenario, string[] args)
    {
        _ = args;
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return Task.FromResult(64);
    }
}
