using System.Diagnostics;

namespace Ama.Cli.Tests;

/// <summary>Runs commands on a real pseudo-terminal: non-interactive through script(1), interactive through tmux.</summary>
public static class Pty
{
    /// <summary>Runs <paramref name="command"/> under script(1) and returns its terminal transcript; the exit code goes into <paramref name="exitCode"/>.</summary>
    public static string RunScript(string script, string command, string? environment, out int exitCode)
    {
        var info = new ProcessStartInfo(script)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["-q", "-e", "-c", $"{(environment is null ? string.Empty : "env " + environment + " ")}{command}", "/dev/null"])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["TERM"] = "xterm";
        info.Environment.Remove("NO_COLOR");
        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(120)), "script did not finish");
        exitCode = process.ExitCode;
        return output.Result;
    }

    public static string RunScript(string script, string command, string? environment) => RunScript(script, command, environment, out _);

    /// <summary>An interactive tmux session on its own server socket, so tests never touch a user's tmux.</summary>
    public sealed class TmuxSession : IDisposable
    {
        private readonly string tmux;
        private readonly string socket = "ama-test-" + Guid.NewGuid().ToString("N")[..12];

        public TmuxSession(string tmux, string command)
        {
            this.tmux = tmux;

            // The trailing sleep keeps the pane (and the exit code line) around until the test has read it.
            Run("new-session", "-d", "-s", "t", "-x", "200", "-y", "50", $"{command}; echo EXIT=$?; sleep 60");
        }

        public string Capture() => Run("capture-pane", "-p", "-J", "-t", "t", "-S", "-200");

        public void Type(string text) => Run("send-keys", "-t", "t", "-l", text);

        public void Press(string key) => Run("send-keys", "-t", "t", key);

        /// <summary>Waits until the pane shows <paramref name="text"/>; returns the whole pane.</summary>
        public string WaitFor(string text, TimeSpan? timeout = null)
        {
            var clock = Stopwatch.StartNew();
            string pane = string.Empty;
            while (clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(60)))
            {
                pane = Capture();
                if (pane.Contains(text, StringComparison.Ordinal))
                {
                    return pane;
                }

                Thread.Sleep(100);
            }

            Assert.Fail($"The terminal never showed '{text}'. It shows:\n{pane}");
            return pane;
        }

        /// <summary>Waits until the pane shows any of <paramref name="texts"/>; returns the whole pane, or fails after <paramref name="timeout"/>.</summary>
        public string WaitForAny(TimeSpan timeout, params string[] texts)
        {
            var clock = Stopwatch.StartNew();
            string pane = string.Empty;
            while (clock.Elapsed < timeout)
            {
                pane = Capture();
                if (texts.Any(text => pane.Contains(text, StringComparison.Ordinal)))
                {
                    return pane;
                }

                Thread.Sleep(100);
            }

            Assert.Fail($"The terminal showed none of '{string.Join("', '", texts)}' in {timeout.TotalSeconds} s. It shows:\n{pane}");
            return pane;
        }

        public void Dispose() => Run("kill-server");

        private string Run(params string[] args)
        {
            var info = new ProcessStartInfo(tmux)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add("-L");
            info.ArgumentList.Add(socket);
            foreach (string arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            info.Environment["TERM"] = "xterm";
            using Process process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return output;
        }
    }
}
