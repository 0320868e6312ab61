using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ama.Cryptography.Hosting.Tests.Infrastructure;

/// <summary>Builds real generic hosts with the key store registered and every log line captured.</summary>
public static class Hosts
{
    public static IHost Build(Action<SecureKeyStorageOptions> configure, CapturingLoggerProvider? logs = null) =>
        Build((services, _) => services.AddSecureKeyStorage(configure), logs);

    public static IHost Build(Action<IServiceCollection, IConfiguration> register, CapturingLoggerProvider? logs = null, IEnumerable<KeyValuePair<string, string?>>? configuration = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = Path.GetTempPath(),
        });
        if (configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        register(builder.Services, builder.Configuration);
        return builder.Build();
    }

    /// <summary>Starts a host that must fail to start, and returns what it threw; the host is disposed.</summary>
    public static async Task<Exception> StartFailingAsync(IHost host)
    {
        using (host)
        {
            Exception? thrown = await Record.ExceptionAsync(() => host.StartAsync(TestContext.Current.CancellationToken));
            Assert.NotNull(thrown);
            return thrown;
        }
    }
}
