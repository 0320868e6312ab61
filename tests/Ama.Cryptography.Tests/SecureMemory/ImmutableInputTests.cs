using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

/// <summary>Compiles small programs against the library: wiping immutable input must not compile.</summary>
public class ImmutableInputTests
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Append(typeof(SecureMemory).Assembly.Location)
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path))]);

    [Theory]
    [InlineData("SecureMemory.Zero(\"secret\");")]
    [InlineData("SecureMemory.Zero((ReadOnlySpan<byte>)new byte[4]);")]
    [InlineData("SecureMemory.Zero(\"secret\"u8);")]
    [InlineData("SecureMemory.Zero(new ReadOnlyMemory<byte>(new byte[4]));")]
    [InlineData("SecureMemory.Zero(System.Collections.Immutable.ImmutableArray.Create((byte)1));")]
    public void Zero_of_immutable_input_does_not_compile(string statement)
    {
        IReadOnlyList<Diagnostic> errors = Compile(statement);

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Contains(e.Id, new[] { "CS1503", "CS1502", "CS1501", "CS0121" }));
    }

    [Theory]
    [InlineData("SecureMemory.Zero(new byte[4]);")]
    [InlineData("SecureMemory.Zero(new byte[4].AsSpan());")]
    [InlineData("Span<byte> s = stackalloc byte[4]; SecureMemory.Zero(s);")]
    public void Control_Zero_of_mutable_input_compiles(string statement)
    {
        Assert.Empty(Compile(statement));
    }

    private static List<Diagnostic> Compile(string statement)
    {
        string source = $$"""
            using System;
            using Ama.Cryptography;
            static class Probe
            {
                static void Run() { {{statement}} }
            }
            """;
        CSharpCompilation compilation = CSharpCompilation.Create(
            "ZeroProbe",
            [CSharpSyntaxTree.ParseText(source)],
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        return [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
    }
}
