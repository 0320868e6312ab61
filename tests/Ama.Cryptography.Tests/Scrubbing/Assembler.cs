using System.Diagnostics;
using Ama.Cryptography.Interop;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Scrubbing;

/// <summary>Assembles x86-64 code with binutils' <c>as</c> and maps a section of it into an executable page.</summary>
public static unsafe class Assembler
{
    /// <summary>The bytes of section <c>.text.ama_NAME</c> for each name, from assembling <paramref name="sourcePath"/>.</summary>
    public static Dictionary<string, byte[]> Sections(string sourcePath, params string[] names)
    {
        string assembler = Tools.Require("as");
        string objcopy = Tools.Require("objcopy");
        string directory = Directory.CreateTempSubdirectory("ama-as-").FullName;
        try
        {
            string obj = Path.Combine(directory, "code.o");
            Run(assembler, "--64", "-o", obj, sourcePath);
            var sections = new Dictionary<string, byte[]>();
            foreach (string name in names)
            {
                string bin = Path.Combine(directory, name + ".bin");
                Run(objcopy, "-O", "binary", "-j", ".text.ama_" + name, obj, bin);
                sections[name] = File.ReadAllBytes(bin);
            }

            return sections;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Maps <paramref name="code"/> read-only and executable; the page is never freed (tests only).</summary>
    public static void* MapExecutable(byte[] code)
    {
        nint page = Libc.Mmap(0, (nuint)Environment.SystemPageSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        Assert.NotEqual(Libc.MAP_FAILED, page);
        code.CopyTo(new Span<byte>((void*)page, code.Length));
        Assert.Equal(0, Libc.Mprotect(page, (nuint)Environment.SystemPageSize, Libc.PROT_READ | Libc.PROT_EXEC));
        return (void*)page;
    }

    private static void Run(string tool, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {errors}");
    }
}
