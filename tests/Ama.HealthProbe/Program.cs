using System.Runtime.InteropServices;
using Ama.WebSample;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

if (Environment.GetEnvironmentVariable("AMA_PROBE_EXHAUST_INOTIFY") == "1")
{
    // Uses up this user's inotify instances (run it as a user of its own), as a busy container does.
    int held = 0;
    while (Inotify.Init1(0) >= 0)
    {
        held++;
    }

    Console.Error.WriteLine($"holding {held} inotify instances");
}

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
// The probe is for tests: its /health writes every check with its advice, unless AMA_PROBE_HEALTH_DETAILS=false asks for the default registration.
IHealthChecksBuilder checks = builder.Services.AddHealthChecks();
_ = Environment.GetEnvironmentVariable("AMA_PROBE_HEALTH_DETAILS") == "false" ? checks.AddSecureMemoryCheck() : checks.AddSecureMemoryCheck(includeDetails: true);
if (builder.Configuration.GetSection("Ama:KeyStore").Exists())
{
    // A key store from the command line or the environment (Ama__KeyStore__Path=...), for start-up tests as another user.
    builder.Services.AddSecureKeyStorage(builder.Configuration);
}

WebApplication app = builder.Build();
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthResponse.WriteJsonAsync });
await app.StartAsync();
if (Environment.GetEnvironmentVariable("AMA_PROBE_REPORT_ENVIRON") is { Length: > 0 } variable)
{
    // What this process shows of its environment once started: the block in /proc/self/environ,
    // whether .NET still sees the variable, and what a child process inherits.
    Console.WriteLine("environ " + Convert.ToBase64String(File.ReadAllBytes("/proc/self/environ")));
    Console.WriteLine("variable-visible " + (Environment.GetEnvironmentVariable(variable) is not null));
    using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("env") { RedirectStandardOutput = true })!;
    string inherited = await child.StandardOutput.ReadToEndAsync();
    await child.WaitForExitAsync();
    Console.WriteLine("child-environ " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(inherited)));
}

Console.WriteLine("listening " + app.Urls.First());
await app.WaitForShutdownAsync();

internal static partial class Inotify
{
#pragma warning disable SYSLIB1054, CA5392 // one libc call in a test probe
    [DllImport("libc", EntryPoint = "inotify_init1")]
    internal static extern int Init1(int flags);
#pragma warning restore SYSLIB1054, CA5392
}
