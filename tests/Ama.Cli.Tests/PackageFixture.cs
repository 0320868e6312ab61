namespace Ama.Cli.Tests;

/// <summary>
/// Packs every package once, as the README says (<c>dotnet pack -c Release</c>), into a fresh folder.
/// The build output goes to a folder of its own next to the test binaries, so the pack never writes
/// over the binaries of the test run it is part of, and a second run builds incrementally.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    private readonly Lazy<string> packages;

    public PackageFixture() => packages = new Lazy<string>(Pack);

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("ama-pack-").FullName;

    /// <summary>The folder holding the .nupkg and .snupkg files; packs on first use.</summary>
    public string Packages => packages.Value;

    public string PackageFile(string id, string extension = "nupkg") => Path.Combine(Packages, $"{id}.1.0.0.{extension}");

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary>Skips (fails in CI) unless the native toolchain the pack needs is here.</summary>
    public static void RequireToolchain()
    {
        foreach (string tool in new[] { "cmake", "make", "flock", "cc", "aarch64-linux-gnu-gcc", "musl-gcc", "readelf" })
        {
            Tools.Require(tool);
        }
    }

    private string Pack()
    {
        string output = Path.Combine(Directory, "packages");
        string artifacts = Path.Combine(AppContext.BaseDirectory, "pack-artifacts");
        // The tool's pack builds the library too; the library's pack then reuses that build.
        Pack(output, artifacts, "Ama.Cli");
        Pack(output, artifacts, "Ama.Cryptography", "--no-build");
        Pack(output, artifacts, "Ama.Cryptography.Hosting");
        Pack(output, artifacts, "Ama.Cryptography.DataProtection");
        Pack(output, artifacts, "Ama.Cryptography.PostgreSql");
        return output;
    }

    private static void Pack(string output, string artifacts, string project, params string[] options)
    {
        AmaProcess.Result result = DotnetCommand.Run(
            DotnetCommand.DotnetPath,
            ["pack", Path.Combine(AmaProcess.RepoRoot, "src", project), "-c", "Release", "-o", output, "--artifacts-path", artifacts, .. options]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
