using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.Options;

namespace Ama.WebSample;

/// <summary>
/// Runs the app, and turns a failed start into one log line and an exit code instead of an
/// unhandled exception (which the runtime reports with a stack dump and SIGABRT, exit 134).
/// </summary>
public static class StartupFailure
{
    /// <summary>The app ran and was stopped (SIGTERM, Ctrl-C).</summary>
    public const int Success = 0;

    /// <summary>Something else stopped the start (a port in use, a database down): starting again may work.</summary>
    public const int Failure = 1;

    /// <summary>
    /// The configuration is wrong (EX_CONFIG of sysexits.h): an option, the credential or the key store
    /// it names. Starting again without a change fails the same way, so a service manager should not
    /// retry (systemd: <c>RestartPreventExitStatus=78</c>).
    /// </summary>
    public const int ConfigurationError = 78;

    /// <summary>Starts <paramref name="app"/>, waits for it to be stopped, and returns the process's exit code.</summary>
    /// <param name="app">The built app.</param>
    /// <returns>An exit code: <see cref="Success"/>, <see cref="ConfigurationError"/> or <see cref="Failure"/>.</returns>
    public static async Task<int> RunAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            await app.StartAsync();
        }
        catch (Exception e) when (IsConfigurationError(e))
        {
            // The message names the option, file or store to fix; a stack trace would only bury it.
            Log.ConfigurationError(app.Logger, e, ConfigurationError);
            return ConfigurationError;
        }
        catch (Exception e)
        {
            Log.StartFailed(app.Logger, e, Failure);
            return Failure;
        }

        await app.WaitForShutdownAsync();
        return Success;
    }

    private static bool IsConfigurationError(Exception e) =>
        e is OptionsValidationException or KeyStoreCredentialException or KeyStoreDamagedException;
}
