namespace Ama.Cryptography.Tests.Scrubbing;

/// <summary>
/// Tests that hold off the GC with <c>GC.TryStartNoGCRegion</c>: the region is process-wide, and a second start
/// while one is open throws, so these tests run one after another.
/// </summary>
[CollectionDefinition(nameof(HoldsOffTheGc))]
public sealed class HoldsOffTheGc;
