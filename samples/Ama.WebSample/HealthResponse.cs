using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ama.WebSample;

/// <summary>
/// Writes a health report as JSON: the overall status, and each entry's status, description and data
/// (for the secure-memory check registered with <c>includeDetails: true</c>: the backend, the memory
/// source, and each self-test check with its advice). An entry without a description or data is
/// written with its status alone. The sample maps it only behind authorization.
/// </summary>
public static class HealthResponse
{
    /// <summary>The response writer for <c>MapHealthChecks</c>.</summary>
    /// <param name="context">The request.</param>
    /// <param name="report">The report.</param>
    /// <returns>The write.</returns>
    public static async Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteStartObject("entries");
            foreach ((string name, HealthReportEntry entry) in report.Entries)
            {
                WriteEntry(json, name, entry);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted);
    }

    private static void WriteEntry(Utf8JsonWriter json, string name, HealthReportEntry entry)
    {
        json.WriteStartObject(name);
        json.WriteString("status", entry.Status.ToString());
        if (entry.Description is not null)
        {
            json.WriteString("description", entry.Description);
        }

        if (entry.Data.Count > 0)
        {
            json.WriteStartObject("data");
            foreach ((string key, object value) in entry.Data)
            {
                json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
