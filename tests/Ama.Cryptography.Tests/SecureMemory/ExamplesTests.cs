using System.Text.RegularExpressions;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

/// <summary>
/// docs/examples.md (copied into the README) and samples/Ama.Samples, which the solution builds,
/// must not drift: every csharp block of the document occurs in the sample sources (a block's
/// leading using directives at the top of one of them).
/// </summary>
public partial class ExamplesTests
{
    private static readonly string Root = TestHost.FindRepoRoot();

    [Theory]
    [InlineData("docs/examples.md")]
    [InlineData("README.md")]
    public void Every_csharp_block_in_the_examples_occurs_in_the_sample_sources(string document)
    {
        string[] blocks = CSharpBlocks(File.ReadAllText(Path.Combine(Root, document)));
        string samples = Normalise(string.Join("\n", SampleSources().Select(File.ReadAllText)));

        Assert.True(blocks.Length >= 5, $"only {blocks.Length} csharp blocks found");
        Assert.All(blocks, block => Assert.Contains(Normalise(UsingDirective().Replace(block, "")), samples, StringComparison.Ordinal));
        Assert.All(
            blocks.SelectMany(block => UsingDirective().Matches(block)),
            directive => Assert.Contains(Normalise(directive.Value), samples, StringComparison.Ordinal));
    }

    [Fact]
    public void Control_an_edited_block_is_not_found_in_the_sample_sources()
    {
        string block = CSharpBlocks(File.ReadAllText(Path.Combine(Root, "docs", "examples.md")))[0];
        string samples = Normalise(string.Join("\n", SampleSources().Select(File.ReadAllText)));

        Assert.DoesNotContain(Normalise(block.Replace("32", "64", StringComparison.Ordinal)), samples, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sample_project_is_part_of_the_solution_so_the_build_compiles_the_examples()
    {
        string solution = File.ReadAllText(Path.Combine(Root, "Ama.slnx"));
        Assert.Contains("samples/Ama.Samples/Ama.Samples.csproj", solution, StringComparison.Ordinal);
    }

    private static IEnumerable<string> SampleSources() =>
        Directory.EnumerateFiles(Path.Combine(Root, "samples", "Ama.Samples"), "*.cs", SearchOption.TopDirectoryOnly);

    private static string[] CSharpBlocks(string markdown) =>
        [.. CSharpBlock().Matches(markdown).Select(m => m.Groups[1].Value)];

    /// <summary>Collapses every run of whitespace, so indentation and line breaks may differ.</summary>
    private static string Normalise(string code) => Whitespace().Replace(code, " ").Trim();

    [GeneratedRegex(@"^```csharp[ \t]*\r?\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    /// <summary>A using directive, which a block may start with and a sample source has at its top.</summary>
    [GeneratedRegex(@"^using [\w.]+;[ \t]*\r?\n", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
