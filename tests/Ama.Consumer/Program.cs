using System.Security.Cryptography;
using Ama.Consumer;
using Ama.Cryptography;

// A consumer as users write one: Release, hot loops in Main and in helpers, long enough for
// tier 1 and on-stack replacement to compile the library's hot paths. The first library call
// comes from inside the first loop, as in the reported crash, so nothing is initialised early.
// Prints one "ok" line per stage, then the JIT tiers seen; any exception ends the process.
using var tiers = new JitTierListener();

var arrays = new byte[20_000][];
for (int i = 0; i < arrays.Length; i++)
{
    arrays[i] = RandomNumberGenerator.GetBytes(32);
}

int equal = 0;
for (int i = 0; i < arrays.Length; i++)
{
    equal += SecureMemory.ConstantTimeEquals(arrays[i], arrays[i]) ? 1 : 0;
    equal -= SecureMemory.ConstantTimeEquals(arrays[i], arrays[(i + 1) % arrays.Length]) ? 1 : 0;
}

Stages.Check(equal == arrays.Length, "compare of 20,000 arrays of 32 bytes");
Console.WriteLine("ok compare-32");

for (int round = 0; round < 3; round++)
{
    Stages.CompareEveryLengthAndAlignment();
}

Console.WriteLine("ok compare-lengths");

Stages.ZeroSlices();
Console.WriteLine("ok zero");

for (int i = 0; i < 300; i++)
{
    Stages.UseSecureBuffer((i % 97) + 1);
}

Console.WriteLine("ok buffers");

// Small methods called in a loop until the runtime has recompiled them at tier 1 (with the
// library's compare and zeroing inlined into them), then called again in their tier-1 form.
Stages.Check(Stages.CallUntilTier1(tiers, TimeSpan.FromSeconds(30)), "tier 1 reached within 30 s");
Console.WriteLine("ok tier1");
Console.WriteLine($"backend: {SecureMemory.GetStatus().Backend}");
foreach (string compiled in tiers.Compiled.Order(StringComparer.Ordinal))
{
    Console.WriteLine($"jit: {compiled}");
}

return 0;
