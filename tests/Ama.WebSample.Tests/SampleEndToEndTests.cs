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

        Assert.NotEqual(0, exitCode);
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

        (HttpStatusCode status, JsonElement body) = await GetHealthAsync(app);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("entries").GetProperty("secure-memory").GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_health_endpoint_reports_the_managed_source_with_advice()
    {
        using var store = new SampleDirectory();
        using var app = SampleInstance.Start(store.StorePath, store.KeyFile, new Dictionary<string, string?> { ["AMA_MEMORY_SOURCE"] = "managed" });
        await app.WaitUntilListeningAsync();

        (HttpStatusCode status, JsonElement body) = await GetHealthAsync(app);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains(body.GetProperty("status").GetString(), new[] { "Degraded", "Unhealthy" });
        Assert.Contains("AMA_MEMORY_SOURCE", body.GetRawText(), StringComparison.Ordinal);
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
        using var response = await client.PostAsync($"/login?name={name}", content: null);
        response.EnsureSuccessStatusCode();
        string setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        return setCookie.Split(';')[0];
    }

    private static async Task<HttpResponseMessage> GetMeAsync(SampleInstance app, string? cookie)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
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

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetHealthAsync(SampleInstance app)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/health");
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
