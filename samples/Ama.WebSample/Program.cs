using System.Security.Claims;
using System.Security.Cryptography;
using Ama.WebSample;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);

// 1. The key store, from the "Ama:KeyStore" section; opened at start-up, refreshed when another instance writes it.
builder.Services.AddSecureKeyStorage(builder.Configuration);

// 2. Health: how well this host protects secrets in memory. The details are kept for /health/details.
builder.Services.AddHealthChecks().AddSecureMemoryCheck(includeDetails: true);

// 3. Data Protection: the key ring lives in the key store, each master key sealed with a key-encryption key from it.
builder.Services.AddDataProtection()
    .SetApplicationName("Ama.WebSample")
    .PersistKeysToSecureKeyStorage()
    .ProtectKeysWithSecureKeyStorage();

// An API answers 401 rather than redirecting to a login page.
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(cookie => cookie.Events.OnRedirectToLogin = context =>
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    });
builder.Services.AddAuthorization();

await using var app = builder.Build();
app.Use(SecurityHeaders.AddAsync);
app.UseAuthentication();
app.UseAuthorization();

// For anyone, such as a load balancer: the status word alone (Healthy, Degraded or Unhealthy).
app.MapHealthChecks("/health");

// Each self-test check with its advice tells how weak the host is, so only signed-in callers see it.
// Anyone can sign in to this sample; a real app requires its operators' policy here.
app.MapHealthChecks("/health/details", new HealthCheckOptions { ResponseWriter = HealthResponse.WriteJsonAsync })
    .RequireAuthorization();

// A JSON body only (LoginRequest): another site's form cannot sign a visitor in. The auth cookie is
// protected by Data Protection, so any instance sharing the key store can read it.
app.MapPost("/login", (LoginRequest login) => string.IsNullOrWhiteSpace(login.Name)
    ? Results.Problem("Give a name to sign in with.", statusCode: StatusCodes.Status400BadRequest)
    : Results.SignIn(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, login.Name)], CookieAuthenticationDefaults.AuthenticationScheme))));
app.MapGet("/me", (ClaimsPrincipal user) => Results.Text(user.Identity?.Name)).RequireAuthorization();

app.MapPost("/protect", (TextMessage message, IDataProtectionProvider provider) =>
    Results.Text(Protector(provider).Protect(message.Text)));
app.MapPost("/unprotect", (TextMessage message, IDataProtectionProvider provider) =>
{
    try
    {
        return Results.Text(Protector(provider).Unprotect(message.Text));
    }
    catch (CryptographicException)
    {
        return Results.Problem("The payload does not unprotect with this application's key ring.", statusCode: StatusCodes.Status400BadRequest);
    }
});

// A bad configuration ends the process with a logged message and exit code 78, anything else that stops the start with 1.
return await StartupFailure.RunAsync(app);

static IDataProtector Protector(IDataProtectionProvider provider) => provider.CreateProtector("Ama.WebSample.Messages");
