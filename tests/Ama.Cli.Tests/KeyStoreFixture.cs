using System.Diagnostics;

namespace Ama.Cli.Tests;

/// <summary>
/// Builds key stores through the tool itself. Stores use PBKDF2 at its lowest accepted cost
/// (10,000 iterations) so the suite stays fast; the 64 MiB Argon2id default is never run here.
/// </summary>
public static class KeyStoreFixture
{
    public static readonly string[] CheapKdf = ["--kdf", "pbkdf2", "--kdf-iterations", "10000"];

    public static void Create(string store, string passwordFile) =>
        Ok(AmaProcess.Run(["keystore", "create", store, "--password-file", passwordFile, .. CheapKdf]));

    public static void Put(string store, string passwordFile, string name, byte[] material)
    {
        string file = store + "." + name + ".material";
        SecretFiles.WriteAllBytes(file, material);
        Ok(AmaProcess.Run("keystore", "put", store, name, "--password-file", passwordFile, "--file", file));
        File.Delete(file);
    }

    /// <summary>Runs <c>get</c> (hex unless the extra arguments say otherwise) and returns stdout; fails the test on a non-zero exit.</summary>
    public static string Get(string store, string passwordFile, string name, params string[] extra) =>
        Ok(AmaProcess.Run(["keystore", "get", store, name, "--password-file", passwordFile, .. extra])).Stdout;

    /// <summary>Runs <c>get --format raw</c> into a pipe and returns the bytes exactly as written.</summary>
    public static byte[] GetRaw(string store, string passwordFile, string name)
    {
        var info = new ProcessStartInfo(AmaProcess.DotnetPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])[AmaProcess.DllPath, "keystore", "get", store, name, "--format", "raw", "--password-file", passwordFile])
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(AmaProcess.WithoutPostgres(info))!;
        process.StandardInput.Close();
        using var bytes = new MemoryStream();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(bytes);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(120)), "ama get did not finish");
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {error.Result}");
        return bytes.ToArray();
    }

    public static AmaProcess.Result Ok(AmaProcess.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
