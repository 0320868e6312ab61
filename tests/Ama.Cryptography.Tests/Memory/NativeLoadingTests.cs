using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>A native library named in AMA_NATIVE_LIBRARY is used, or is a clear error: never a silent fallback.</summary>
public sealed class NativeLoadingTests
{
    [Fact]
    public void Missing_library_named_explicitly_is_an_error_naming_the_path()
    {
        (int exit, string stdout) = RunStatus("/nonexistent/libama_secure_memory.so");
        Assert.Equal(2, exit);
        Assert.Contains("ERROR", stdout, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/libama_secure_memory.so", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Library_without_the_ama_exports_is_an_error()
    {
        string other = Directory.GetFiles("/usr/lib/x86_64-linux-gnu", "libz.so.1*").FirstOrDefault()
            ?? Directory.GetFiles("/lib", "libc.so.6", SearchOption.AllDirectories).First();
        (int exit, string stdout) = RunStatus(other);
        Assert.Equal(2, exit);
        Assert.Contains("ama_abi_version", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void None_selects_the_managed_backend()
    {
        (int exit, string stdout) = RunStatus("none");
        Assert.Equal(0, exit);
        Assert.Contains("BACKEND Managed", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Built_library_selects_the_native_backend()
    {
        (int exit, string stdout) = RunStatus(NativeBuild.Library);
        Assert.Equal(0, exit);
        Assert.Contains("BACKEND Native 1.", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void No_declaration_binds_the_native_library_by_name()
    {
        // A [DllImport]/[LibraryImport] of the backend can be bound by the JIT before the backend
        // is known to be present (ConsumerProcessTests); the backend is reached through function
        // pointers only. The libsodium imports are not affected: NSec's package always ships it.
        var imports = typeof(SecureBuffer).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Import: m.GetCustomAttributes(typeof(System.Runtime.InteropServices.DllImportAttribute), false).Cast<System.Runtime.InteropServices.DllImportAttribute>().FirstOrDefault()))
            .Where(x => x.Import is not null)
            .ToList();
        Assert.NotEmpty(imports);
        Assert.DoesNotContain(imports, x => x.Import!.Value.Contains("ama_secure_memory", StringComparison.Ordinal));
    }

    private static (int Exit, string Stdout) RunStatus(string library)
    {
        var info = TestHost.StartInfo("memory-status");
        info.Environment["AMA_NATIVE_LIBRARY"] = library;
        (int exit, string stdout, _) = TestHost.Run(info);
        return (exit, stdout);
    }
}
