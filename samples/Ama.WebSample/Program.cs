using System.Security.Claims;
using System.Security.Cryptography;
using Ama.WebSample;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);

// 1. The key store, from the "Ama:KeyStore" section; opened at start-up, refreshed when another instance writes it.
builder.Services.AddSecureKeyStorage(builder.Configuration);

// 2. Health: how well this host protects secrets in memory.
builder.Services.AddHealthChecks().AddSecureMemoryCheck();

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

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthResponse.WriteJsonAsync });

// The auth cookie is protected by Data Protection, so any instance sharing the key store can read it.
app.MapPost("/login", (string name) => Results.SignIn(
    new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], CookieAuthenticationDefaults.AuthenticationScheme))));
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

app.Run();

static IDataProtector Protector(IDataProtectionProvider provider) => provider.CreateProtector("Ama.WebSample.Messages");
