using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Ama.Consumer;

/// <summary>
/// Records which JIT tiers compiled which methods, from the runtime's own MethodLoadVerbose
/// events, so the run can show that tier 1 and on-stack replacement were really reached.
/// </summary>
internal sealed class JitTierListener : EventListener
{
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private const int MethodLoadVerboseEventId = 143;

    // MethodFlags bits 7-9 carry the optimisation tier (the runtime's ETW manifest).
    private const int TierShift = 7;
    private const int TierMask = 0x7;

    private readonly ConcurrentDictionary<string, byte> seen = new();

    internal static string TierName(int tier) => tier switch
    {
        1 => "MinOpt",
        2 => "Optimized",
        3 => "Tier0",
        4 => "Tier1",
        5 => "OSR",
        6 => "Tier0Instrumented",
        7 => "Tier1Instrumented",
        _ => "Unknown",
    };

    /// <summary>Gets "Namespace.Type::Method@Tier" for every method compiled since the listener started.</summary>
    internal IReadOnlyCollection<string> Compiled => seen.Keys.ToArray();

    internal bool Saw(string type, string method, string tier) =>
        seen.ContainsKey($"Ama.Consumer.{type}::{method}@{tier}");

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventId != MethodLoadVerboseEventId || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }

        string type = Field(eventData, "MethodNamespace");
        string method = Field(eventData, "MethodName");
        int flags = Convert.ToInt32(eventData.Payload[eventData.PayloadNames.IndexOf("MethodFlags")], System.Globalization.CultureInfo.InvariantCulture);
        seen.TryAdd($"{type}::{method}@{TierName((flags >> TierShift) & TierMask)}", 0);
    }

    private static string Field(EventWrittenEventArgs e, string name) =>
        e.Payload![e.PayloadNames!.IndexOf(name)]?.ToString() ?? string.Empty;
}
