using System.Text.Encodings.Web;

namespace Ama.Cli;

/// <summary>The string escaping of every JSON document ama prints.</summary>
internal static class JsonOutput
{
    /// <summary>
    /// Escapes only what JSON requires (quotes, backslash, control characters), so "don't" and
    /// "a+b" read as written. The default encoder also escapes ' + &lt; &gt; &amp; for JSON embedded in
    /// HTML; ama's JSON goes to stdout for jq and monitoring, never into a web page.
    /// </summary>
    internal static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
}
