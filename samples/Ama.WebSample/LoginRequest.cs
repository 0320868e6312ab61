namespace Ama.WebSample;

/// <summary>
/// The JSON body of /login. The endpoint takes only <c>application/json</c>, which a cross-site HTML
/// form cannot send (a form sends form data or text/plain, and a cross-site script's JSON request
/// needs a CORS preflight the app never grants), so no other site can sign a visitor in under a
/// name of its choosing (login CSRF).
/// </summary>
/// <param name="Name">The name to sign in with.</param>
public sealed record LoginRequest(string Name);
