namespace Ama.Cryptography.Hosting.Tests.Infrastructure;

/// <summary>Polls a condition that another thread or process makes true, such as a refresh by the file watcher.</summary>
public static class Eventually
{
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        return condition();
    }
}
