using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ama.Cryptography;

namespace Ama.Cli;

/// <summary>`ama status`: what this host and process can do to protect secrets.</summary>
internal static class StatusCommand
{
    internal static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the status as JSON." };
        var command = new Command("status", "Show the backend, memory source, lock limits and dump settings of this host.")
        {
            json,
        };
        command.SetAction(result => Run(result.GetValue(json)));
        return command;
    }

    private static int Run(bool asJson)
    {
        SecureMemoryStatus status = SecureMemory.GetStatus();
        if (asJson)
        {
            Console.WriteLine(JsonSerializer.Serialize(status, StatusJsonContext.Default.SecureMemoryStatus));
            return 0;
        }

        Console.WriteLine($"backend            {status.Backend}{(status.NativeVersion is null ? string.Empty : $" {status.NativeVersion}")}");
        Console.WriteLine($"memory source      {status.MemorySource}");
        Console.WriteLine($"secret memory      {(status.SecretMemoryAvailable ? "available" : $"unavailable: {status.SecretMemoryProblem}")}");
        Console.WriteLine($"locking            {(status.LockingWorks ? "works" : $"fails: {status.LockingProblem}")}");
        Console.WriteLine($"RLIMIT_MEMLOCK     soft {Limit(status.MemoryLockLimitSoft)}, hard {Limit(status.MemoryLockLimitHard)}");
        Console.WriteLine($"CAP_IPC_LOCK       {(status.HasIpcLockCapability ? "held" : "not held")}");
        Console.WriteLine($"core dumps         {(status.CoreDumpsEnabled ? $"enabled (limit {Limit(status.CoreDumpLimit)})" : "disabled")}");
        Console.WriteLine($"zeroing            {status.ZeroingMethod}");
        Console.WriteLine($"platform           {status.OperatingSystem} {status.Architecture}");
        return 0;
    }

    private static string Limit(ulong? bytes) => bytes is null ? "unlimited" : $"{bytes} bytes";
}

[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SecureMemoryStatus))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
