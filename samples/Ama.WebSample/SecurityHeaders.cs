namespace Ama.WebSample;

/// <summary>
/// Headers on every response that keep a browser from reading the API's text as anything else:
/// <c>/me</c> echoes the name a caller chose, which must never be sniffed as HTML or script, and
/// nothing the app serves is a page to frame, to refer from or to cache.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The middleware: adds the headers when the response starts, so they are on every status, also 401 and 415.</summary>
    /// <param name="context">The request.</param>
    /// <param name="next">The rest of the pipeline.</param>
    /// <returns>The rest of the pipeline's work.</returns>
    public static Task AddAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        context.Response.OnStarting(static state =>
        {
            IHeaderDictionary headers = ((HttpResponse)state).Headers;
            headers.XContentTypeOptions = "nosniff";
            // An API serves no page: nothing may load from a response, frame it or submit a form from it.
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    }
}
