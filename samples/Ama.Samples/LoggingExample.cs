using Ama.Cryptography;
using Microsoft.Extensions.Logging;

namespace Ama.Samples;

internal static class LoggingExample
{
    private static ILoggerFactory? factory;

    internal static void Run()
    {
        // Once at start-up: warnings (a lock that fell back to unlocked memory, an undisposed buffer) go to your logging
        factory = LoggerFactory.Create(builder => builder.AddConsole());
        SecureMemory.UseLoggerFactory(factory);
    }
}
