using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ama.WebSample;

/// <summary>Writes a health report as JSON: the overall status, and each check's status, description and data (the self-test outcomes and advice).</summary>
public static class HealthResponse
{
    /// <summary>The response writer for <c>MapHealthChecks</c>.</summary>
    /// <param name="context">The request.</param>
    /// <param name="report">The report.</param>
    /// <returns>The write.</returns>
    public static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new Dictionary<string, object?>
                {
                    ["status"] = entry.Value.Status.ToString(),
                    ["description"] = entry.Value.Description,
                    ["data"] = entry.Value.Data,
                }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }
}
