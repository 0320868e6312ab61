using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL cluster in a fresh temporary directory: created with initdb, listening only
/// on a Unix socket in that directory, trust authentication for local connections and nothing
/// else, fsync on. Run as an unprivileged user (initdb and postgres refuse root): the current user,
/// or under root the <c>postgres</c> system user if there is one, else <c>nobody</c>.
/// <see cref="Dispose"/> stops it at once and deletes the directory.
/// </summary>
/// <remarks>eng/pg-throwaway.sh starts the same kind of cluster from the shell.</remarks>
internal sealed class ThrowawayCluster : IDisposable
{
    /// <summary>Only names the socket file (.s.PGSQL.5432): the cluster listens on no TCP port.</summary>
    public const int Port = 5432;

    private const string BinariesRoot = "/usr/lib/postgresql";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    private readonly string binaries;
    private readonly UnixUser? runAs;
    private bool disposed;

    private ThrowawayCluster(string binaries, UnixUser? runAs, string directory)
    {
        this.binaries = binaries;
        this.runAs = runAs;
        Directory = directory;
    }

    /// <summary>The cluster's directory; it is also the Unix socket directory.</summary>
    public string Directory { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public string LogFile => Path.Combine(Directory, "server.log");

    public bool IsRunning { get; private set; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = Directory,
        Port = Port,
        Username = "postgres",
        Database = "postgres",
        Timeout = 15,
    }.ConnectionString;

    /// <summary>The bin directory of the highest installed PostgreSQL version, or null.</summary>
    public static string? FindBinaries()
    {
        if (!System.IO.Directory.Exists(BinariesRoot))
        {
            return null;
        }

        return System.IO.Directory.GetDirectories(BinariesRoot)
            .Select(version => Path.Combine(version, "bin"))
            .Where(bin => new[] { "initdb", "pg_ctl", "postgres" }.All(tool => File.Exists(Path.Combine(bin, tool))))
            .OrderByDescending(bin => VersionOf(bin))
            .FirstOrDefault();
    }

    /// <summary>Starts a new cluster; skips the test (fails it under AMA_REQUIRE_TOOLS=1) if PostgreSQL is not installed.</summary>
    public static ThrowawayCluster Start()
    {
        string? binaries = FindBinaries();
        Tools.RequireThat(
            binaries is not null,
            $"PostgreSQL's server binaries are installed ({BinariesRoot}/*/bin/initdb; apt-get install postgresql), or {PostgresServer.ConnectionVariable} names a server");
        UnixUser? runAs = UnixUser.IsRoot() ? UnixUser.Find("postgres") ?? UnixUser.Find("nobody") : null;
        if (UnixUser.IsRoot())
        {
            Tools.RequireThat(runAs is not null, "a 'postgres' or 'nobody' user exists to run PostgreSQL as (it refuses root)");
            Tools.RequireThat(Tools.Find("runuser") is not null || Tools.Find("setpriv") is not null, "runuser or setpriv is installed (util-linux)");
        }

        var cluster = new ThrowawayCluster(binaries!, runAs, CreateDirectory(runAs));
        try
        {
            cluster.Initialize();
            cluster.StartServer();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Stops the server (fast: sessions are ended, a checkpoint is written) or kills it (immediate: crash recovery on the next start).</summary>
    public void Stop(bool immediate)
    {
        RunTool("pg_ctl", "-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "-t", "60", "stop");
        IsRunning = false;
    }

    public void StartServer()
    {
        RunTool("pg_ctl", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "start");
        IsRunning = true;
        WaitUntilAcceptingConnections();
    }

    /// <summary>pg_ctl restart -m immediate: the server dies without a checkpoint and recovers from its WAL.</summary>
    public void RestartImmediate()
    {
        // -l again: without it the new postmaster would write to (and hold open) our stdout pipe.
        RunTool("pg_ctl", "-D", DataDirectory, "-l", LogFile, "-m", "immediate", "-w", "-t", "60", "restart");
        IsRunning = true;
        WaitUntilAcceptingConnections();
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                RunTool("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "60", "stop");
            }
        }
        finally
        {
            IsRunning = false;
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static int VersionOf(string bin) =>
        int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), NumberStyles.None, CultureInfo.InvariantCulture, out int version)
            ? version
            : 0;

    private static string CreateDirectory(UnixUser? owner)
    {
        if (owner is null)
        {
            return System.IO.Directory.CreateTempSubdirectory("ama-pg-").FullName;
        }

        // Under root: in /tmp rather than $TMPDIR, which the unprivileged user may not reach. Mode
        // 0700, because trust authentication lets whoever reaches the socket in it in.
        string directory = Path.Combine("/tmp", "ama-pg-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The throwaway PostgreSQL cluster runs on Linux.");
        }

        System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        RunProcess(["chown", $"{owner.Uid}:{owner.Gid}", directory], "/", CommandTimeout);
        return directory;
    }

    private void Initialize()
    {
        RunTool(
            "initdb", "-D", DataDirectory, "-U", "postgres", "-E", "UTF8", "--locale=C",
            "--auth-local=trust", "--auth-host=reject", "--no-instructions",
            // Only initdb's own flush of the new files: the server runs with fsync on.
            "--no-sync");
        File.AppendAllText(
            Path.Combine(DataDirectory, "postgresql.conf"),
            $"""

            # Added by the tests' throwaway cluster.
            listen_addresses = ''
            unix_socket_directories = '{Directory}'
            port = {Port}
            fsync = on
            synchronous_commit = on
            full_page_writes = on
            shared_buffers = 32MB
            max_connections = 100

            """);
    }

    private void WaitUntilAcceptingConnections()
    {
        string connectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, Timeout = 5 }.ConnectionString;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var connection = new NpgsqlConnection(connectionString);
                connection.Open();
                using var command = new NpgsqlCommand("SELECT 1", connection);
                command.ExecuteScalar();
                return;
            }
            catch (NpgsqlException) when (clock.Elapsed < ConnectTimeout)
            {
                Thread.Sleep(100);
            }
            catch (NpgsqlException exception)
            {
                throw new InvalidOperationException($"The cluster in {Directory} accepts no connection after {ConnectTimeout}. Log:\n{LogTail()}", exception);
            }
        }
    }

    private void RunTool(string tool, params string[] arguments)
    {
        string executable = Path.Combine(binaries, tool);
        try
        {
            RunProcess([.. runAs?.Wrapper() ?? [], executable, .. arguments], Directory, CommandTimeout);
        }
        catch (InvalidOperationException exception)
        {
            throw new InvalidOperationException($"{exception.Message}\nServer log ({LogFile}):\n{LogTail()}", exception);
        }
    }

    private string LogTail()
    {
        if (!File.Exists(LogFile))
        {
            return "(none)";
        }

        string[] lines = File.ReadAllLines(LogFile);
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 30)));
    }

    private static void RunProcess(IReadOnlyList<string> commandLine, string workingDirectory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(commandLine[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The tools change into their working directory; the user they run as must be able to.
            WorkingDirectory = workingDirectory,
        };
        foreach (string argument in commandLine.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {commandLine[0]}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{string.Join(' ', commandLine)} did not finish within {timeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{string.Join(' ', commandLine)} exited with {process.ExitCode}.\n{output.Result}{error.Result}");
        }
    }

    /// <summary>A user from /etc/passwd, and the command prefix that runs a program as that user.</summary>
    private sealed record UnixUser(string Name, int Uid, int Gid)
    {
        public static bool IsRoot() =>
            File.ReadLines("/proc/self/status")
                .First(line => line.StartsWith("Uid:", StringComparison.Ordinal))
                .Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[2] == "0";

        public static UnixUser? Find(string name)
        {
            foreach (string line in File.ReadLines("/etc/passwd"))
            {
                string[] fields = line.Split(':');
                if (fields.Length >= 4 && fields[0] == name)
                {
                    return new UnixUser(name, Parse(fields[2]), Parse(fields[3]));
                }
            }

            return null;
        }

        public string[] Wrapper() =>
            Tools.Find("runuser") is { } runuser
                ? [runuser, "-u", Name, "--"]
                : [Tools.Find("setpriv") ?? "setpriv", $"--reuid={Uid}", $"--regid={Gid}", "--clear-groups", "--"];

        private static int Parse(string number) => int.Parse(number, NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
