using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;

namespace Ama.Cli.Tests;

/// <summary>
/// The packages as a user gets them: the native library for every Linux RID, built for the right
/// machine; complete metadata and symbols; and an installed <c>ama</c> that runs on the native backend.
/// </summary>
public class ToolPackageTests(PackageFixture fixture) : IClassFixture<PackageFixture>
{
    private const ushort MachineX86_64 = 62;
    private const ushort MachineAArch64 = 183;

    public static TheoryData<string> Packages => new("Ama.Cryptography", "Ama.Cli");

    /// <summary>Every package of the repository, for what they all share (licence, readme, symbols).</summary>
    public static TheoryData<string> AllPackages => new("Ama.Cryptography", "Ama.Cli", "Ama.Cryptography.Hosting", "Ama.Cryptography.DataProtection", "Ama.Cryptography.PostgreSql");

    [Fact]
    public void Installed_tool_reports_the_native_backend_from_its_package()
    {
        PackageFixture.RequireToolchain();
        string toolPath = Path.Combine(fixture.Directory, "tool");
        var environment = new Dictionary<string, string?>
        {
            // A package cache of its own: an Ama.Cli 1.0.0 cached by an earlier run must not stand in for this one.
            ["NUGET_PACKAGES"] = Path.Combine(fixture.Directory, "nuget-cache"),
        };
        AmaProcess.Result install = DotnetCommand.Run(
            DotnetCommand.DotnetPath,
            ["tool", "install", "--tool-path", toolPath, "--add-source", fixture.Packages, "Ama.Cli"],
            environment);
        Assert.True(install.ExitCode == 0, install.ToString());

        // The CI runs choose a backend through these; an installed tool must find its own library.
        AmaProcess.Result status = DotnetCommand.Run(
            Path.Combine(toolPath, "ama"), ["status", "--json"],
            new Dictionary<string, string?> { ["AMA_NATIVE_LIBRARY"] = null, ["AMA_EXPECT_BACKEND"] = null });

        using JsonDocument json = JsonDocument.Parse(status.Stdout);
        JsonElement report = json.RootElement.GetProperty("status");
        Assert.True(report.GetProperty("backend").GetString() == "native", status.ToString());
        string loadedFrom = report.GetProperty("nativeLibraryPath").GetString() ?? string.Empty;
        Assert.StartsWith(toolPath, loadedFrom, StringComparison.Ordinal);
        Assert.EndsWith("/tools/net10.0/any/runtimes/linux-x64/native/libama_secure_memory.so", loadedFrom, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_holds_the_native_library_built_for_each_linux_rid(string id)
    {
        PackageFixture.RequireToolchain();
        string prefix = id == "Ama.Cli" ? "tools/net10.0/any/" : string.Empty;
        using ZipArchive package = ZipFile.OpenRead(fixture.PackageFile(id));

        Assert.Equal(MachineX86_64, ElfMachine(package, $"{prefix}runtimes/linux-x64/native/libama_secure_memory.so", out string glibc));
        Assert.Equal(MachineAArch64, ElfMachine(package, $"{prefix}runtimes/linux-arm64/native/libama_secure_memory.so", out _));
        Assert.Equal(MachineX86_64, ElfMachine(package, $"{prefix}runtimes/linux-musl-x64/native/libama_secure_memory.so", out string musl));

        // musl's C library is libc.so; glibc's is libc.so.6, which Alpine does not have.
        Assert.Contains("Shared library: [libc.so.6]", ReadElfDynamic(glibc), StringComparison.Ordinal);
        Assert.Contains("Shared library: [libc.so]", ReadElfDynamic(musl), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllPackages))]
    public void Package_has_licence_readme_tags_source_control_and_symbols(string id)
    {
        PackageFixture.RequireToolchain();
        using ZipArchive package = ZipFile.OpenRead(fixture.PackageFile(id));
        XElement metadata = Nuspec(package, id);
        XNamespace ns = metadata.Name.Namespace;

        XElement? license = metadata.Element(ns + "license");
        Assert.NotNull(license);
        Assert.Equal(("expression", "Apache-2.0"), ((string?)license.Attribute("type"), license.Value));
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.NotNull(package.GetEntry("LICENSE"));

        // The readme is the package's own, for its users, not the repository's README for contributors.
        ZipArchiveEntry readme = package.GetEntry("README.md") ?? throw new Xunit.Sdk.XunitException("README.md is not in the package.");
        using (var reader = new StreamReader(readme.Open()))
        {
            Assert.Equal(File.ReadAllText(Path.Combine(AmaProcess.RepoRoot, "src", id, "README.md")), reader.ReadToEnd());
        }

        string[] tags = (metadata.Element(ns + "tags")?.Value ?? string.Empty).Split(' ');
        foreach (string tag in new[] { "secure-memory", "aes-gcm", "chacha20-poly1305", "hmac", "hkdf", "ed25519", "x25519", "memfd-secret", "mlock" })
        {
            Assert.Contains(tag, tags);
        }

        Assert.Contains("CHANGELOG.md", metadata.Element(ns + "releaseNotes")?.Value ?? string.Empty, StringComparison.Ordinal);
        // The commit always; the URL only when the clone has an "origin" remote (Directory.Build.props).
        Assert.Matches("^[0-9a-f]{40}$", (string?)metadata.Element(ns + "repository")?.Attribute("commit") ?? string.Empty);

        using ZipArchive symbols = ZipFile.OpenRead(fixture.PackageFile(id, "snupkg"));
        string pdb = id == "Ama.Cli" ? "tools/net10.0/any/ama.pdb" : $"lib/net10.0/{id}.pdb";
        Assert.NotNull(symbols.GetEntry(pdb));
    }

    /// <summary>
    /// A package built on the core package's internals (InternalsVisibleTo) needs exactly its version: a
    /// later core may change them. The others use the public API only, so a later core is fine.
    /// </summary>
    [Theory]
    [InlineData("Ama.Cryptography.Hosting", "1.0.0")]
    [InlineData("Ama.Cryptography.DataProtection", "1.0.0")]
    [InlineData("Ama.Cryptography.PostgreSql", "[1.0.0]")]
    public void Integration_package_depends_on_the_core_package_of_the_same_version(string id, string range)
    {
        PackageFixture.RequireToolchain();
        using ZipArchive package = ZipFile.OpenRead(fixture.PackageFile(id));
        XElement metadata = Nuspec(package, id);
        XNamespace ns = metadata.Name.Namespace;

        Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.dll"));
        XElement core = Assert.Single(metadata.Descendants(ns + "dependency"), d => (string?)d.Attribute("id") == "Ama.Cryptography");
        Assert.Equal(range, (string?)core.Attribute("version"));
        using ZipArchive corePackage = ZipFile.OpenRead(fixture.PackageFile("Ama.Cryptography"));
        XElement coreMetadata = Nuspec(corePackage, "Ama.Cryptography");
        foreach (string field in new[] { "license", "readme", "authors" })
        {
            Assert.Equal(coreMetadata.Element(ns + field)?.Value, metadata.Element(ns + field)?.Value);
        }

        // A package may add tags of its own (postgresql, npgsql) after the shared ones.
        Assert.StartsWith(coreMetadata.Element(ns + "tags")!.Value, metadata.Element(ns + "tags")?.Value ?? string.Empty, StringComparison.Ordinal);
    }

    /// <summary>The tool runs on Linux only: no native library of another OS (NSec brings libsodium for a dozen), and a small download.</summary>
    [Fact]
    public void Tool_package_carries_only_the_linux_runtimes_it_runs_on()
    {
        PackageFixture.RequireToolchain();
        const string Prefix = "tools/net10.0/any/runtimes/";
        string path = fixture.PackageFile("Ama.Cli");
        Assert.True(new FileInfo(path).Length <= 6 * 1024 * 1024, $"Ama.Cli is {new FileInfo(path).Length} bytes packed, over 6 MiB.");

        using ZipArchive package = ZipFile.OpenRead(path);
        string[] rids = package.Entries
            .Where(e => e.FullName.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(e => e.FullName[Prefix.Length..].Split('/')[0])
            .Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["linux-arm64", "linux-musl-x64", "linux-x64"], rids);

        // The deps file names no runtime asset the package lacks: the host would refuse to start on that RID.
        ZipArchiveEntry deps = package.GetEntry("tools/net10.0/any/ama.deps.json") ?? throw new Xunit.Sdk.XunitException("ama.deps.json is not in the package.");
        using var reader = new StreamReader(deps.Open());
        foreach (System.Text.RegularExpressions.Match asset in System.Text.RegularExpressions.Regex.Matches(reader.ReadToEnd(), "\"(runtimes/[^\"]+)\""))
        {
            Assert.NotNull(package.GetEntry("tools/net10.0/any/" + asset.Groups[1].Value));
        }

        Assert.DoesNotContain(package.Entries, e => e.FullName.EndsWith(".xml", StringComparison.Ordinal) && e.FullName.StartsWith("tools/", StringComparison.Ordinal)
            && !e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
    }

    [Fact]
    public void PostgreSql_package_ships_the_schema_file_for_DBAs_as_a_plain_file()
    {
        PackageFixture.RequireToolchain();
        using ZipArchive package = ZipFile.OpenRead(fixture.PackageFile("Ama.Cryptography.PostgreSql"));
        string shipped = File.ReadAllText(Path.Combine(AmaProcess.RepoRoot, "src", "Ama.Cryptography.PostgreSql", "Schema", "ama-keystore.sql"));
        foreach (string entry in new[] { "content/sql/ama-keystore.sql", "contentFiles/any/any/sql/ama-keystore.sql" })
        {
            ZipArchiveEntry file = package.GetEntry(entry) ?? throw new Xunit.Sdk.XunitException($"{entry} is not in the package.");
            using var reader = new StreamReader(file.Open());
            Assert.Equal(shipped, reader.ReadToEnd());
        }

        // Not compiled by a consumer: the contentFiles entry says buildAction None.
        XElement metadata = Nuspec(package, "Ama.Cryptography.PostgreSql");
        XElement files = Assert.Single(metadata.Descendants(metadata.Name.Namespace + "files"));
        Assert.Equal("None", (string?)files.Attribute("buildAction"));
    }

    private static XElement Nuspec(ZipArchive package, string id)
    {
        using Stream stream = package.GetEntry($"{id}.nuspec")!.Open();
        return XDocument.Load(stream).Root!.Elements().First(e => e.Name.LocalName == "metadata");
    }

    /// <summary>Extracts the entry and returns e_machine from its ELF header (x86-64 62, AArch64 183).</summary>
    private ushort ElfMachine(ZipArchive package, string entryName, out string extracted)
    {
        ZipArchiveEntry entry = package.GetEntry(entryName) ?? throw new Xunit.Sdk.XunitException($"{entryName} is not in the package.");
        extracted = Path.Combine(fixture.Directory, "extracted", entryName);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(extracted)!);
        entry.ExtractToFile(extracted, overwrite: true);
        byte[] header = File.ReadAllBytes(extracted)[..20];
        Assert.Equal("\x7F" + "ELF", System.Text.Encoding.ASCII.GetString(header, 0, 4));
        Assert.Equal(2, header[4]); // ELFCLASS64
        return BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18));
    }

    private static string ReadElfDynamic(string file)
    {
        AmaProcess.Result result = DotnetCommand.Run(Tools.Require("readelf"), ["-d", file]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout;
    }
}
