using System.Text.RegularExpressions;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.DependencyInjection;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

/// <summary>
/// Every ```csharp block of README.md and docs/*.md compiles, against all the packages of the
/// repository and ASP.NET Core. Each block is compiled on its own as the Program.cs of a console
/// application (top-level statements, so a block may start with using directives and end with
/// local functions or types), with the usings a reader's project has and a fixed set of
/// givens: the inputs the blocks take for granted (message, storage, builder, ...).
/// A block that declares a given itself hides it, as a local hides a field.
/// </summary>
public partial class DocumentationBlocksCompileTests
{
    /// <summary>
    /// Documents whose blocks do not compile yet, each with the reason. Remove an entry once its
    /// document compiles: <see cref="Documents_listed_as_not_compiling_still_fail"/> fails until then.
    /// </summary>
    private static readonly Dictionary<string, string> NotYetCompiling = new(StringComparer.Ordinal)
    {
    };

    private static readonly string Root = TestHost.FindRepoRoot();

    /// <summary>The SDK's implicit usings (Web SDK included), the product's namespaces, and what the blocks assume beside them.</summary>
    private const string Usings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Hosting;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.AspNetCore.Routing;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;
        global using System.Security.Cryptography;
        global using System.Text;
        global using Ama.Cryptography;
        global using Ama.Cryptography.KeyManagement;
        global using Ama.Cryptography.Hosting;
        global using Npgsql;
        global using static DocumentationGivens;
        """;

    /// <summary>What the blocks use without declaring it. Static fields, so a block may also assign them.</summary>
    private const string Givens = """
        internal static class DocumentationGivens
        {
            public static string[] args = [];
            public static byte[] message = [], plaintext = [], receivedTag = [], key = [], salt = [];
            public static byte[] keyBytes = [], newKeyBytes = [], keyA = [], sessionKey = [];
            public static byte[] kek = [], encryptionKey32 = [], masterKeyFromKms = [];
            public static byte[] masterKey = [];
            public static char[] password = [], passwordChars = [];
            public static string path = "", connectionString = "";
            public static ulong messageNumber;
            public static SecureKeyStorage storage = null!;
            public static KeyStoreCredential credential = null!;
            public static NpgsqlDataSource dataSource = null!;
            public static ILoggerFactory factory = null!;
            public static WebApplicationBuilder builder = null!;
            public static WebApplication app = null!;
        }
        """;

    private static readonly Lazy<MetadataReference[]> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Concat(new[]
            {
                typeof(SecureMemory), typeof(SecureKeyStorage), typeof(PostgreSqlKeyStorage),
                typeof(SecureKeyStorageServiceCollectionExtensions), typeof(SecureKeyStorageDataProtectionBuilderExtensions),
            }.Select(t => t.Assembly.Location))
            .Distinct(StringComparer.Ordinal)
            .Select(path => MetadataReference.CreateFromFile(path))]);

    public static TheoryData<string> Documents()
    {
        IEnumerable<string> docs = Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md")
            .Select(path => "docs/" + Path.GetFileName(path));
        return [.. docs.Prepend("README.md").Where(d => !NotYetCompiling.ContainsKey(d)).Order(StringComparer.Ordinal)];
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_csharp_block_compiles(string document)
    {
        List<string> failures = Failures(document);

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public void Documents_listed_as_not_compiling_still_fail()
    {
        Assert.All(NotYetCompiling.Keys, document => Assert.True(
            Failures(document).Count > 0,
            $"{document} compiles now: remove it from {nameof(NotYetCompiling)} so the test covers it"));
    }

    [Fact]
    public void Control_a_block_with_an_error_does_not_compile()
    {
        string block = Blocks(File.ReadAllText(Path.Combine(Root, "README.md")))[0].Code;

        Assert.Empty(Compile(block));
        Assert.NotEmpty(Compile(block + "\nundeclaredName.Dispose();\n"));
        Assert.NotEmpty(Compile(block.Replace("using ", "usin ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Control_the_givens_do_not_hide_a_misspelt_member()
    {
        Assert.Empty(Compile("using SecureBuffer b = storage.Retrieve(\"k\");"));
        Assert.NotEmpty(Compile("using SecureBuffer b = storage.Retreive(\"k\");"));
    }

    private static List<string> Failures(string document)
    {
        (int Line, string Code)[] blocks = Blocks(File.ReadAllText(Path.Combine(Root, document)));
        return [.. blocks
            .Select(block => (block.Line, Errors: Compile(block.Code)))
            .Where(result => result.Errors.Count > 0)
            .Select(result => $"{document}, block at line {result.Line}:\n  " +
                string.Join("\n  ", result.Errors.Select(e => $"{e.Id} (block line {e.Location.GetLineSpan().StartLinePosition.Line + 1}): {e.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}")))];
    }

    private static List<Diagnostic> Compile(string block)
    {
        CSharpParseOptions parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "DocumentationBlock",
            [
                CSharpSyntaxTree.ParseText(Usings, parse),
                CSharpSyntaxTree.ParseText(Givens, parse),
                CSharpSyntaxTree.ParseText(block, parse),
            ],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
    }

    /// <summary>Each csharp block, with the line of the markdown its code starts on.</summary>
    private static (int Line, string Code)[] Blocks(string markdown) =>
        [.. CSharpBlock().Matches(markdown).Select(m =>
            (markdown.AsSpan(0, m.Groups[1].Index).Count('\n') + 1, m.Groups[1].Value))];

    [GeneratedRegex(@"^```csharp[ \t]*\r?\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
