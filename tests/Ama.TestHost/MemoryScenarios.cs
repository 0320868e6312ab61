namespace Ama.TestHost;

/// <summary>Child-process scenarios for the allocator tests: dumps, faults, limits.</summary>
internal static class MemoryScenarios
{
    internal static Task<int> RunAsync(string scenario, string[] args)
    {
        _ = args;
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return Task.FromResult(64);
    }
}
