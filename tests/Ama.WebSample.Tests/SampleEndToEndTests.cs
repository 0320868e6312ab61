using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Ama.Cryptography;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Ama.WebSample.Tests;

/// <summary>
/// samples/Ama.WebSample run as real processes (Kestrel on 127.0.0.1) sharing one key store file:
/// the auth cookie and IDataProtector payloads of one instance are read by another, also after the
/// Data Protection key and the key-encryption key are rotated, and a copy of the store opened with
/// the wrong credential stops the app at start-up without touching the file.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SampleEndToEndTests
{
    private const string ApplicationName = "Ama.WebSample";
    private const string Secret = "attack at dawn";

    /// <summary>The sample's exit code for a bad configuration (EX_CONFIG), documented in docs/aspnetcore.md.</summary>
    private const int ConfigurationErrorExit = 78;

    /// <summary>The sample's exit code for any other failed start.</summary>
    private const int FailureExit = 1;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_instances_share_the_cookie_and_payloads_also_after_rotation()
    {
        using var store = new SampleDirectory();
        using var first = SampleInstance.Start(store.StorePath, store.KeyFile);
        await first.WaitUntilListeningAsync();
        using var second = SampleInstance.Start(store.StorePath, store.KeyFile);
        await second.WaitUntilListeningAsync();

        string cookie = await LogInAsync(first, "alice");
        string payload = await ProtectAsync(first, Secret);

        Assert.Equal("alice", await WhoAmIAsync(second, cookie));
        Assert.Equal(Secret, await UnprotectAsync(second, payload));
        // Controls: without the cookie, or with a payload one byte off, the second instance refuses.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetMeAsync(second, cookie: null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostUnprotectAsync(second, Tamper(payload))).StatusCode);

        Guid newKey = RotateKeyEncryptionKeyAndDataProtectionKey(store);

        using var third = SampleInstance.Start(store.StorePath, store.KeyFile);
        await third.WaitUntilListeningAsync();
        string newPayload = await ProtectAsync(third, Secret);
        Assert.NotEqual(KeyId(payload), newKey);
        Assert.Equal(newKey, KeyId(newPayload));
        Assert.Equal(Secret, await UnprotectAsync(third, payload));
        Assert.Equal("alice", await WhoAmIAsync(third, cookie));
        Assert.Equal(Secret, await UnprotectAsync(second, newPayload));
    }

    [Fact]
    public async Task A_copy_opened_with_the_wrong_credential_stops_the_app_and_is_left_as_it_was()
    {
        using var store = new SampleDirectory();
        using (var creator = SampleInstance.Start(store.StorePath, store.KeyFile))
        {
            await creator.WaitUntilListeningAsync();
            _ = await ProtectAsync(creator, Secret);
        }

        using var copy = new SampleDirectory();
        File.Copy(store.StorePath, copy.StorePath);
        byte[] before = File.ReadAllBytes(copy.StorePath);

        using var wrong = SampleInstance.Start(copy.StorePath, copy.KeyFile);
        int exitCode = await wrong.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ConfigurationErrorExit, exitCode);
        Assert.DoesNotContain("Unhandled exception", wrong.Output, StringComparison.Ordinal);
        Assert.Contains(nameof(KeyStoreCredentialException), wrong.Output, StringComparison.Ordinal);
        Assert.Contains(copy.StorePath, wrong.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", wrong.Output, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(copy.StorePath));
        Assert.DoesNotContain(Convert.ToBase64String(copy.Key), wrong.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(copy.Key), wrong.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_health_endpoint_is_healthy_on_this_host()
    {
        // The host's own self-test is the precondition: a fresh machine of the CI's kind passes it.
        Assert.Equal(SelfTestOutcome.Pass, SecureMemorySelfTest.Run().Outcome);
        using var store = new SampleDirectory();
        using var app = SampleInstance.Start(store.StorePath, store.KeyFile);
        await app.WaitUntilListeningAsync();

        using var health = await GetAsync(app, "/health", cookie: null);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync(Token));

        (HttpStatusCode status, JsonElement body) = await GetHealthDetailsAsync(app, await LogInAsync(app, "operator"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("entries").GetProperty("secure-memory").GetProperty("status").GetString());
    }

    /// <summary>
    /// On a weak host (managed memory forced), /health tells an anonymous caller only the status word;
    /// the checks and their advice are on /health/details, for signed-in callers alone.
    /// </summary>
    [Fact]
    public async Task The_health_endpoint_tells_anyone_the_status_alone_and_signed_in_callers_the_advice()
    {
        using var store = new SampleDirectory();
        using var app = SampleInstance.Start(store.StorePath, store.KeyFile, new Dictionary<string, string?> { ["AMA_MEMORY_SOURCE"] = "managed" });
        await app.WaitUntilListeningAsync();

        using var health = await GetAsync(app, "/health", cookie: null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        string status = await health.Content.ReadAsStringAsync(Token);
        Assert.Contains(status, new[] { "Degraded", "Unhealthy" });

        using var anonymous = await GetAsync(app, "/health/details", cookie: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.DoesNotContain("AMA_MEMORY_SOURCE", await anonymous.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);

        // Control: a signed-in caller gets each check, with the advice naming the variable.
        (HttpStatusCode detailsStatus, JsonElement body) = await GetHealthDetailsAsync(app, await LogInAsync(app, "operator"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, detailsStatus);
        Assert.Equal(status, body.GetProperty("status").GetString());
        Assert.Contains("AMA_MEMORY_SOURCE", body.GetRawText(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Login CSRF: another site's page can submit a form to /login (form data or text/plain, never
    /// JSON) and sign the visitor in under the attacker's name. /login takes a JSON body only.
    /// </summary>
    [Theory]
    [InlineData("application/x-www-form-urlencoded", "name=mallory")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nmallory\r\n--x--\r\n")]
    [InlineData("text/plain", "{\"name\":\"mallory\",\"x\":\"=\"}")]
    public async Task A_cross_site_form_post_to_login_is_refused_and_signs_no_one_in(string contentType, string body)
    {
        using var store = new SampleDirectory();
        using var app = SampleInstance.Start(store.StorePath, store.KeyFile);
        await app.WaitUntilListeningAsync();
        using var client = app.CreateClient();

        // What a browser sends for <form method="post" action="http://app/login?name=mallory"> on https://evil.example.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/login?name=mallory")
        {
            Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body)),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var response = await client.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));

        // Control: the app's own JSON request signs in.
        string cookie = await LogInAsync(app, "alice");
        Assert.Equal("alice", await WhoAmIAsync(app, cookie));
    }

    /// <summary>/me echoes a name the caller chose: no response may be sniffed as HTML, framed or cached.</summary>
    [Fact]
    public async Task Every_response_carries_nosniff_and_the_other_security_headers()
    {
        using var store = new SampleDirectory();
        using var app = SampleInstance.Start(store.StorePath, store.KeyFile);
        await app.WaitUntilListeningAsync();
        string cookie = await LogInAsync(app, "<script>alert(1)</script>");

        using var me = await GetAsync(app, "/me", cookie);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("text/plain", me.Content.Headers.ContentType?.MediaType);
        using var unauthorized = await GetAsync(app, "/me", cookie: null);
        using var health = await GetAsync(app, "/health", cookie: null);
        using var missing = await GetAsync(app, "/no-such-page", cookie: null);
        foreach (HttpResponseMessage response in (HttpResponseMessage[])[me, unauthorized, health, missing])
        {
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Contains("default-src 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        }

        Assert.Equal("no-store", me.Headers.CacheControl?.ToString());
    }

    /// <summary>
    /// A production host logs why it did not start and exits with a code a service manager can act
    /// on; before, every failed start ended in an unhandled exception, a runtime dump and SIGABRT (134).
    /// </summary>
    [Theory]
    [InlineData("kdf-without-algorithm", "'Ama:KeyStore:Kdf:Algorithm' (SecureKeyStorageOptions.Kdf) is missing")]
    [InlineData("world-readable-key", "has mode 0644")]
    [InlineData("missing-store", "does not exist. Create it (ama keystore create) or set CreateIfMissing to true.")]
    public async Task A_bad_configuration_is_logged_and_exits_78_without_an_unhandled_exception(string problem, string message)
    {
        using var store = new SampleDirectory();
        List<string> arguments = problem switch
        {
            "kdf-without-algorithm" => ["--Ama:KeyStore:CreateIfMissing=true", "--Ama:KeyStore:Kdf:MemoryKiB=65536"],
            "world-readable-key" => ["--Ama:KeyStore:CreateIfMissing=true"],
            _ => ["--Ama:KeyStore:CreateIfMissing=false"],
        };
        if (problem == "world-readable-key")
        {
            File.SetUnixFileMode(store.KeyFile, (UnixFileMode)0b110_100_100);
        }

        using var app = SampleInstance.Start(store.StorePath, store.KeyFile, arguments: arguments);
        int exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == ConfigurationErrorExit, $"exit code {exitCode}. Output:\n{app.Output}");
        Assert.Contains("The app did not start: OptionsValidationException: ", app.Output, StringComparison.Ordinal);
        Assert.Contains(message, app.Output, StringComparison.Ordinal);
        Assert.Contains("(exit code 78)", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", app.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(store.StorePath));
    }

    /// <summary>A start that fails for another reason (here the port is taken) may work when tried again: exit code 1.</summary>
    [Fact]
    public async Task A_port_in_use_is_logged_and_exits_1_without_an_unhandled_exception()
    {
        using var store = new SampleDirectory();
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        using var app = SampleInstance.Start(store.StorePath, store.KeyFile, arguments: ["--Ama:KeyStore:CreateIfMissing=true", "--urls", $"http://127.0.0.1:{port}"]);
        int exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == FailureExit, $"exit code {exitCode}. Output:\n{app.Output}");
        Assert.Contains("The app did not start (exit code 1).", app.Output, StringComparison.Ordinal);
        Assert.Contains("address already in use", app.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Unhandled exception", app.Output, StringComparison.Ordinal);
    }

    /// <summary>Adds a KEK version and a Data Protection key that is the default from now on; returns the key's id.</summary>
    private static Guid RotateKeyEncryptionKeyAndDataProtectionKey(SampleDirectory store)
    {
        using var credential = KeyStoreCredential.FromKey(store.Key);
        using var storage = SecureKeyStorage.Open(store.StorePath, credential);
        int kekVersion = storage.Store("dataprotection-kek", RandomNumberGenerator.GetBytes(32));
        Assert.Equal(2, kekVersion);

        var services = new ServiceCollection();
        services.AddSingleton(storage);
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToSecureKeyStorage()
            .ProtectKeysWithSecureKeyStorage();
        using var provider = services.BuildServiceProvider();
        var keyManager = provider.GetRequiredService<IKeyManager>();
        // Data Protection's default is the key activated last, so the new key must be activated after every
        // existing one, however soon after the first instance's start this runs (a fast machine takes well under
        // a second), and no later than now, so that the next instance uses it at once.
        DateTimeOffset latest = keyManager.GetAllKeys().Max(key => key.ActivationDate);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateTimeOffset activation = latest < now ? now : latest.AddTicks(1);
        return keyManager.CreateNewKey(activation, now.AddDays(90)).KeyId;
    }

    private static async Task<string> LogInAsync(SampleInstance app, string name)
    {
        using var client = app.CreateClient();
        using var response = await client.PostAsJsonAsync("/login", new { name });
        response.EnsureSuccessStatusCode();
        string setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        return setCookie.Split(';')[0];
    }

    private static Task<HttpResponseMessage> GetMeAsync(SampleInstance app, string? cookie) => GetAsync(app, "/me", cookie);

    private static async Task<HttpResponseMessage> GetAsync(SampleInstance app, string path, string? cookie)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return await client.SendAsync(request);
    }

    private static async Task<string> WhoAmIAsync(SampleInstance app, string cookie)
    {
        using var response = await GetMeAsync(app, cookie);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<string> ProtectAsync(SampleInstance app, string text)
    {
        using var client = app.CreateClient();
        using var response = await client.PostAsJsonAsync("/protect", new { text });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<HttpResponseMessage> PostUnprotectAsync(SampleInstance app, string payload)
    {
        using var client = app.CreateClient();
        return await client.PostAsJsonAsync("/unprotect", new { text = payload });
    }

    private static async Task<string> UnprotectAsync(SampleInstance app, string payload)
    {
        using var response = await PostUnprotectAsync(app, payload);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetHealthDetailsAsync(SampleInstance app, string cookie)
    {
        using var response = await GetAsync(app, "/health/details", cookie);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.Clone());
    }

    /// <summary>The Data Protection key id: bytes 4..20 of a payload, after the 4-byte magic header.</summary>
    private static Guid KeyId(string payload) => new(WebEncoders.Base64UrlDecode(payload).AsSpan(4, 16));

    private static string Tamper(string payload)
    {
        byte[] bytes = WebEncoders.Base64UrlDecode(payload);
        bytes[^1] ^= 1;
        return WebEncoders.Base64UrlEncode(bytes);
    }
}
