using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ama.HealthProbe;

/// <summary>Writes a health report as JSON: the overall status, and each entry's status, description and data (strings).</summary>
public static class HealthJson
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
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
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString());
                json.WriteString("description", entry.Description);
                json.WriteStartObject("data");
                foreach ((string key, object value) in entry.Data)
                {
                    json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.ToArray());
    }
}
