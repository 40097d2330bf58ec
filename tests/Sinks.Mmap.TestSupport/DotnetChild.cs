using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Sinks.Mmap.TestSupport;

/// <summary>
/// A .NET program run as a child process with <c>dotnet program.dll args</c>: its output captured,
/// waited on with deadlines, and killed with SIGKILL (Process.Kill on Linux: no finalizers, no flush,
/// no Dispose). The one runner behind the crash tests' TestChild processes and the torture harness.
/// </summary>
internal sealed class DotnetChild : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = new();

    private DotnetChild(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the child printed so far; stderr lines start with "stderr: ".</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output) return _output.ToArray();
        }
    }

    /// <summary>The output as one text, for failure messages.</summary>
    public string OutputText => string.Join("\n", Output);

    /// <summary>The dotnet host running this process (so children use the same runtime), else "dotnet" from PATH.</summary>
    public static string Host
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
            string? self = Environment.ProcessPath;
            if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
            return "dotnet";
        }
    }

    /// <summary>A program the build copied beside the running tests (a project reference does).</summary>
    public static string BesideTests(string dllName) => Path.Combine(AppContext.BaseDirectory, dllName);

    /// <summary>
    /// A copy of the test output in <paramref name="folder"/> where any user can read it: a child run as
    /// another user cannot reach the build folder when the checkout lives under a private directory
    /// (mktemp -d makes it 0700). On Windows the build's own copy.
    /// </summary>
    public static string WorldReadableCopy(string dllName, string folder)
    {
        if (OperatingSystem.IsWindows()) return BesideTests(dllName);
        string dll = Path.Combine(folder, dllName);
        if (!File.Exists(dll))
        {
            Directory.CreateDirectory(folder);
            foreach (string file in Directory.GetFiles(AppContext.BaseDirectory))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
            }
            const UnixFileMode everyoneReads = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            File.SetUnixFileMode(folder, everyoneReads);
            foreach (string file in Directory.GetFiles(folder)) File.SetUnixFileMode(file, everyoneReads);
        }
        return dll;
    }

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/> <paramref name="args"/></c>. With <paramref name="userName"/>
    /// (Linux) the child runs as that user (setuid before exec), with HOME at the temp folder.
    /// </summary>
    public static DotnetChild Start(string dll, IEnumerable<string> args, string? userName = null) => Start(dll, args, userName, interruptible: false);

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> so that <see cref="Interrupt"/>
    /// (SIGINT, Ctrl+C) reaches it, through <c>env --default-signal=INT</c>: a test run started in the
    /// background (nohup, <c>&amp;</c> in a script) ignores SIGINT, children inherit that, and .NET keeps an
    /// inherited SIGINT ignored, as a shell expects of background jobs.
    /// </summary>
    public static DotnetChild StartInterruptible(string dll, IEnumerable<string> args) => Start(dll, args, userName: null, interruptible: true);

    private static DotnetChild Start(string dll, IEnumerable<string> args, string? userName, bool interruptible)
    {
        if (!File.Exists(dll)) throw new ChildProcessException($"the child program is missing: {dll}");
        var info = new ProcessStartInfo(interruptible ? "env" : Host) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (userName is not null && !OperatingSystem.IsWindows())
        {
            info.UserName = userName;
            info.Environment["HOME"] = Path.GetTempPath();
        }
        if (interruptible)
        {
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add(Host);
        }
        info.ArgumentList.Add(dll);
        foreach (string arg in args) info.ArgumentList.Add(arg);
        var process = new Process { StartInfo = info };
        var child = new DotnetChild(process);
        // Asynchronous reads: a synchronous ReadLine on a busy child's pipe has stalled tests before.
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (child._output) child._output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (child._output) child._output.Add("stderr: " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Runs <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> to the end and returns what it
    /// printed (stdout read as UTF-8). Past <paramref name="timeout"/> the child and its descendants are
    /// killed and <see cref="TimeoutException"/> is thrown.
    /// </summary>
    public static ChildResult Run(string dll, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Host)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        info.ArgumentList.Add(dll);
        foreach (string arg in args) info.ArgumentList.Add(arg);
        if (environment is not null)
        {
            foreach (KeyValuePair<string, string> pair in environment) info.Environment[pair.Key] = pair.Value;
        }
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {Path.GetFileName(dll)} {string.Join(' ', args)} ran longer than {timeout}");
        }
        process.WaitForExit();
        return new ChildResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Polls <paramref name="read"/> until <paramref name="condition"/> holds; throws
    /// <see cref="ChildProcessException"/> after <paramref name="timeout"/> or if the child exits first.
    /// </summary>
    public T WaitFor<T>(Func<T> read, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            T state = read();
            if (condition(state)) return state;
            if (_process.HasExited) throw new ChildProcessException($"the child exited (code {_process.ExitCode}) while waiting for {what}; output:\n{OutputText}");
            if (DateTime.UtcNow > deadline) throw new ChildProcessException($"timed out after {timeout.TotalSeconds} s waiting for {what}; state {state}; output:\n{OutputText}");
            Thread.Sleep(1);
        }
    }

    /// <summary>Waits until the child printed a line containing <paramref name="text"/>; returns that line.</summary>
    public string WaitForOutput(string text, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (string line in Output)
            {
                if (line.Contains(text, StringComparison.OrdinalIgnoreCase)) return line;
            }
            if (DateTime.UtcNow > deadline) throw new ChildProcessException($"timed out after {timeout.TotalSeconds} s waiting for output '{text}'; output:\n{OutputText}");
            Thread.Sleep(5);
        }
    }

    /// <summary>SIGKILL, then waits for the process to be gone and its output read to the end.</summary>
    /// <summary>Sends SIGINT (Ctrl+C) to the child; see <see cref="StartInterruptible"/>.</summary>
    public void Interrupt()
    {
        const int SigInt = 2;
        if (kill(_process.Id, SigInt) != 0) throw new ChildProcessException($"kill -INT {_process.Id} failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
        if (!_process.WaitForExit(20_000)) throw new ChildProcessException("the killed child did not exit");
        _process.WaitForExit(); // drains the output readers
    }

    /// <summary>Waits at most <paramref name="timeout"/> for the child to exit (and its output to be read); returns whether it did.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit((int)timeout.TotalMilliseconds)) return false;
        _process.WaitForExit();
        return true;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(20_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}

/// <summary>The outcome of a <see cref="DotnetChild.Run"/>: exit code and everything printed.</summary>
internal sealed record ChildResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout's non-empty lines.</summary>
    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A child process did not do what the test waited for: the message says what, with its output.</summary>
internal class ChildProcessException : Exception
{
    public ChildProcessException(string message) : base(message)
    {
    }
}
