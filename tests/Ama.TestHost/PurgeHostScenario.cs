using System.Security.Cryptography;
using Ama.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ama.TestHost;

/// <summary>
/// A Generic Host whose hosted service encrypts with a SecureAesGcm in StopAsync, stopped by SIGTERM: the graceful
/// shutdown must still have its key (STOP-ENCRYPTED), and a ProcessExit handler subscribed last must find it purged
/// (AFTER-PURGED). Args: before|after, whether the first secure allocation (which installs the library's hooks)
/// happens before the host starts or in the hosted service's StartAsync, after ConsoleLifetime registered its own.
/// </summary>
internal static class PurgeHostScenario
{
    internal static async Task<int> RunAsync(string[] args)
    {
        using SecureBuffer? early = args[0] == "before" ? new SecureBuffer(32) : null;
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHostedService<KeyUser>();
        using IHost host = builder.Build();
        await host.RunAsync();
        Console.WriteLine("MAIN-RETURNS");
        Console.Out.Flush();
        return 0;
    }

    private sealed class KeyUser : IHostedService, IDisposable
    {
        private SecureAesGcm? aes;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            aes = new SecureAesGcm(RandomNumberGenerator.GetBytes(32));
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Report("AFTER", aes);
            Console.WriteLine("READY");
            Console.Out.Flush();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Report("STOP", aes!);
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            // The key is left to the purge, so the ProcessExit report can tell a purge from a dispose.
        }

        private static void Report(string when, SecureAesGcm key)
        {
            try
            {
                key.Encrypt(new byte[12], new byte[16], new byte[16], new byte[16]);
                Console.WriteLine($"{when}-ENCRYPTED");
            }
            catch (ObjectDisposedException)
            {
                Console.WriteLine($"{when}-PURGED");
            }

            Console.Out.Flush();
        }
    }
}
