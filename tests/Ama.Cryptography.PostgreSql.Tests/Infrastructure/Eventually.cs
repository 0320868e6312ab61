using System.Diagnostics;

namespace Ama.Cryptography.PostgreSql.Tests.Infrastructure;

/// <summary>Polls a condition that another instance or thread makes true, such as a refresh after a notification.</summary>
public static class Eventually
{
    public static bool True(Func<bool> condition, TimeSpan within)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < within)
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return condition();
    }
}
