using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using Ama.Cryptography.Hosting.Internal;
using Ama.Cryptography.Hosting.Tests.Infrastructure;
using Ama.Cryptography.Tests.Infrastructure;
using Ama.WebSample;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ama.Cryptography.Hosting.Tests;

/// <summary>The secure-memory check behind <c>MapHealthChecks</c> on real Kestrel hosts, in this process and in child processes.</summary>
public sealed class HealthCheckTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>What the check must report for this process, from the self test itself rather than a hard-coded status.</summary>
    private static string ExpectedHere() => SecureMemorySelfTest.Run().Outcome switch
    {
        SelfTestOutcome.Pass => "Healthy",
        SelfTestOutcome.Warn => "Degraded",
        _ => "Unhealthy",
    };

    [Fact]
    public async Task The_health_endpoint_reports_this_hosts_self_test_with_each_check_in_the_data()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddHealthChecks().AddSecureMemoryCheck(includeDetails: true);
        await using WebApplication app = builder.Build();
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthResponse.WriteJsonAsync });
        await app.StartAsync(Token);

        (HttpStatusCode code, JsonElement report) = await GetHealthAsync(new Uri(app.Urls.First()));

        string expected = ExpectedHere();
        Assert.Equal(expected, report.GetProperty("status").GetString());
        Assert.Equal(expected == "Unhealthy" ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, code);
        JsonElement data = report.GetProperty("entries").GetProperty("secure-memory").GetProperty("data");
        Assert.StartsWith(SecureMemory.GetStatus().Backend.ToString(), data.GetProperty("backend").GetString(), StringComparison.Ordinal);
        foreach (string id in (string[])[SecureMemorySelfTest.MemoryLockCheck, SecureMemorySelfTest.SecretMemoryCheck, SecureMemorySelfTest.ZeroOnDisposeCheck])
        {
            Assert.Matches("^(Pass|Warn|Fail): ", data.GetProperty(id).GetString());
        }

        await app.StopAsync(Token);
    }

    /// <summary>
    /// A health endpoint is often open to anyone, so by default the check gives its status alone: even
    /// a writer that writes every description and data item (the sample's JSON writer) then tells an
    /// unauthenticated caller nothing about how this host protects its secrets.
    /// </summary>
    [Fact]
    public async Task By_default_the_check_gives_the_status_alone_and_the_details_only_when_asked_for()
    {
        string expected = ExpectedHere();
        await using (WebApplication plain = await StartHealthAppAsync(includeDetails: null))
        {
            (HttpStatusCode code, string body) = await GetHealthTextAsync(new Uri(plain.Urls.First()));
            Assert.Equal(expected == "Unhealthy" ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, code);
            using var json = JsonDocument.Parse(body);
            JsonElement entry = json.RootElement.GetProperty("entries").GetProperty("secure-memory");
            Assert.Equal(expected, entry.GetProperty("status").GetString());
            Assert.False(entry.TryGetProperty("description", out _), body);
            Assert.False(entry.TryGetProperty("data", out _), body);
            AssertNoDetails(body);
        }

        // Control: the same writer, with the details asked for, writes each check and what it found.
        await using WebApplication detailed = await StartHealthAppAsync(includeDetails: true);
        (_, string details) = await GetHealthTextAsync(new Uri(detailed.Urls.First()));
        Assert.Contains(SecureMemorySelfTest.MemoryLockCheck, details, StringComparison.Ordinal);
        Assert.Contains(SecureMemorySelfTest.ZeroOnDisposeCheck, details, StringComparison.Ordinal);
        Assert.Contains("\"backend\"", details, StringComparison.Ordinal);
        Assert.Contains("Secure memory self test", details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task By_default_the_check_tells_no_weakness_even_on_a_weak_host()
    {
        string probe = AppContext.BaseDirectory;
        await using var managed = await ProbeProcess.StartAsync(
            probe, new Dictionary<string, string?> { ["AMA_MEMORY_SOURCE"] = "managed", ["AMA_PROBE_HEALTH_DETAILS"] = "false" });
        (HttpStatusCode code, string body) = await GetHealthTextAsync(managed.Url);
        using var json = JsonDocument.Parse(body);
        Assert.NotEqual("Healthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        AssertNoDetails(body);
        Assert.DoesNotContain("AMA_MEMORY_SOURCE", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Managed", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_probe_reports_key_use_scrubbing_and_degrades_with_advice_when_it_is_off()
    {
        string probe = AppContext.BaseDirectory;
        await using (var off = await ProbeProcess.StartAsync(probe, new Dictionary<string, string?> { ["AMA_SCRUB"] = "off" }))
        {
            (_, JsonElement report) = await GetHealthAsync(off.Url);
            string? status = report.GetProperty("status").GetString();
            Assert.True(status is "Degraded" or "Unhealthy", $"status {status}");
            string scrubbing = Data(report, SecureMemorySelfTest.KeyUseScrubbingCheck);
            Assert.StartsWith("Warn: ", scrubbing, StringComparison.Ordinal);
            Assert.Contains("AMA_SCRUB", scrubbing, StringComparison.Ordinal);
        }

        // Control: the same probe left alone passes the check on this host.
        await using var plain = await ProbeProcess.StartAsync(probe, new Dictionary<string, string?>());
        (_, JsonElement control) = await GetHealthAsync(plain.Url);
        Assert.StartsWith("Pass: ", Data(control, SecureMemorySelfTest.KeyUseScrubbingCheck), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_AMA_MEMORY_SOURCE_managed_the_probe_is_unhealthy_with_advice_and_without_it_matches_this_host()
    {
        string probe = AppContext.BaseDirectory;
        await using (var managed = await ProbeProcess.StartAsync(probe, new Dictionary<string, string?> { ["AMA_MEMORY_SOURCE"] = "managed" }))
        {
            (HttpStatusCode code, JsonElement report) = await GetHealthAsync(managed.Url);
            string? status = report.GetProperty("status").GetString();
            Assert.True(status is "Degraded" or "Unhealthy", $"status {status}");
            Assert.Equal(status == "Unhealthy" ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, code);
            string lockCheck = Data(report, SecureMemorySelfTest.MemoryLockCheck);
            Assert.Contains("Advice: ", lockCheck, StringComparison.Ordinal);
            Assert.Contains("AMA_MEMORY_SOURCE", lockCheck, StringComparison.Ordinal);
            Assert.Equal("Managed", Data(report, "memory-source"));
        }

        // Control: the same probe left alone reports what the self test of this process reports.
        await using var plain = await ProbeProcess.StartAsync(probe, new Dictionary<string, string?>());
        (_, JsonElement control) = await GetHealthAsync(plain.Url);
        Assert.Equal(ExpectedHere(), control.GetProperty("status").GetString());
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task As_an_unprivileged_user_with_no_lockable_memory_the_probe_is_not_healthy_and_gives_advice()
    {
        string? setpriv = Tools.Find("setpriv");
        string? prlimit = Tools.Find("prlimit");
        Tools.RequireThat(setpriv is not null && prlimit is not null, "setpriv and prlimit (util-linux) are installed");
        Tools.RequireThat(Environment.UserName == "root", "the tests run as root, so that they can drop to uid 65534");
        using var dir = new TempDirectory();
        string app = CopyReadableByAll(AppContext.BaseDirectory, Path.Combine(dir.Path, "app"));
        string home = Directory.CreateDirectory(Path.Combine(dir.Path, "home")).FullName;
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(home, (UnixFileMode)0b111_111_111);
        var environment = new Dictionary<string, string?> { ["HOME"] = home, ["DOTNET_CLI_HOME"] = home, ["TMPDIR"] = home };
        string[] wrapper = [prlimit!, "--memlock=0:0", setpriv!, "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"];

        await using (var restricted = await ProbeProcess.StartAsync(app, environment, wrapper))
        {
            (_, JsonElement report) = await GetHealthAsync(restricted.Url);
            Assert.NotEqual("Healthy", report.GetProperty("status").GetString());
            string lockCheck = Data(report, SecureMemorySelfTest.MemoryLockCheck);
            Assert.StartsWith("Fail: ", lockCheck, StringComparison.Ordinal);
            Assert.Contains("Advice: ", lockCheck, StringComparison.Ordinal);
        }

        // Control: the same copy as the same user, under the lock limit this process has, is not failed on locking.
        await using var control = await ProbeProcess.StartAsync(app, environment, wrapper[2..]);
        (_, JsonElement controlReport) = await GetHealthAsync(control.Url);
        Assert.StartsWith("Pass: ", Data(controlReport, SecureMemorySelfTest.MemoryLockCheck), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_self_test_is_run_once_and_reused_for_the_cache_time()
    {
        var clock = new ManualClock();
        var cache = new SelfTestCache(clock);
        Task<SelfTestReport> first = cache.GetReportAsync();
        await first;
        clock.Advance(SelfTestCache.CacheTime - TimeSpan.FromSeconds(1));
        Assert.Same(first, cache.GetReportAsync());
        clock.Advance(TimeSpan.FromSeconds(1));
        Task<SelfTestReport> second = cache.GetReportAsync();
        Assert.NotSame(first, second);
        await second;
        Assert.Equal(TimeSpan.FromMinutes(5), SelfTestCache.CacheTime);
    }

    /// <summary>Starts a Kestrel host with the check (registered with <paramref name="includeDetails"/>, or with no argument when null) behind the sample's JSON writer.</summary>
    private static async Task<WebApplication> StartHealthAppAsync(bool? includeDetails)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        IHealthChecksBuilder checks = builder.Services.AddHealthChecks();
        _ = includeDetails is { } details ? checks.AddSecureMemoryCheck(includeDetails: details) : checks.AddSecureMemoryCheck();
        WebApplication app = builder.Build();
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthResponse.WriteJsonAsync });
        await app.StartAsync(Token);
        return app;
    }

    /// <summary>Fails when the body holds anything of the self test beyond the status words.</summary>
    private static void AssertNoDetails(string body)
    {
        string[] details =
        [
            SecureMemorySelfTest.MemoryLockCheck, SecureMemorySelfTest.SecretMemoryCheck, SecureMemorySelfTest.ZeroOnDisposeCheck,
            SecureMemorySelfTest.KeyUseScrubbingCheck, "backend", "memory-source", "Advice", "Pass:", "Warn:", "Fail:", "self test",
        ];
        foreach (string detail in details)
        {
            Assert.DoesNotContain(detail, body, StringComparison.Ordinal);
        }
    }

    private static async Task<(HttpStatusCode Code, string Body)> GetHealthTextAsync(Uri baseUrl)
    {
        using var client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        using HttpResponseMessage response = await client.GetAsync(new Uri("/health", UriKind.Relative), Token);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Token));
    }

    private static string Data(JsonElement report, string key) =>
        report.GetProperty("entries").GetProperty("secure-memory").GetProperty("data").GetProperty(key).GetString() ?? string.Empty;

    private static async Task<(HttpStatusCode Code, JsonElement Report)> GetHealthAsync(Uri baseUrl)
    {
        using var client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        using HttpResponseMessage response = await client.GetAsync(new Uri("/health", UriKind.Relative), Token);
        string body = await response.Content.ReadAsStringAsync(Token);
        using var json = JsonDocument.Parse(body);
        return (response.StatusCode, json.RootElement.Clone());
    }

    /// <summary>Copies the test output, where the probe is, to a directory every user can read and traverse.</summary>
    [SupportedOSPlatform("linux")]
    internal static string CopyReadableByAll(string source, string destination)
    {
        const UnixFileMode All = (UnixFileMode)0b111_101_101;
        Directory.CreateDirectory(destination);
        File.SetUnixFileMode(destination, All);
        foreach (string directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(destination, Path.GetRelativePath(source, directory));
            Directory.CreateDirectory(target);
            File.SetUnixFileMode(target, All);
        }

        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(destination, Path.GetRelativePath(source, file));
            File.Copy(file, target);
            File.SetUnixFileMode(target, All);
        }

        return destination;
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
