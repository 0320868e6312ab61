using Ama.Cryptography.Memory;

namespace Ama.Cryptography.Benchmarks;

/// <summary>Decides whether the native-backend benchmarks can run in this process.</summary>
internal static class NativeLibraryRequirement
{
    internal static bool IsConfigured =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(NativeBackend.EnvironmentVariable))
        && !string.Equals(Environment.GetEnvironmentVariable(NativeBackend.EnvironmentVariable), "none", StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads the library through the library's own loader, which also installs the P/Invoke resolver.</summary>
    internal static void EnsureActive()
    {
        if (!NativeBackend.IsActive)
        {
            throw new InvalidOperationException($"The native backend is not active; set {NativeBackend.EnvironmentVariable} to libama_secure_memory.so.");
        }

        Console.WriteLine($"// native backend {NativeBackend.Version} from {NativeBackend.LoadedFrom}");
    }
}
