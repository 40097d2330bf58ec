using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace Sinks.Mmap.Torture;

/// <summary>A running child: started with <c>dotnet Sinks.Mmap.Torture.dll child …</c>, killed with SIGKILL.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = new();

    private ChildProcess(Process process, ChildOptions options)
    {
        _process = process;
        Options = options;
    }

    public ChildOptions Options { get; }
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

    public static string HarnessDll => Path.Combine(AppContext.BaseDirectory, "Sinks.Mmap.Torture.dll");

    private static string DotnetHost
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

    /// <summary>Starts a child with a fresh ack file; <paramref name="harnessDll"/> defaults to this build's.</summary>
    public static ChildProcess Start(ChildOptions options, string? harnessDll = null, string? userName = null)
    {
        AckFile.Reset(options.AckPath);
        var info = new ProcessStartInfo(DotnetHost) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (userName is not null && !OperatingSystem.IsWindows())
        {
            info.UserName = userName;
            info.Environment["HOME"] = Path.GetTempPath();
            File.SetUnixFileMode(options.AckPath, (UnixFileMode)0b110_110_110);
        }
        info.ArgumentList.Add(harnessDll ?? HarnessDll);
        foreach (string arg in options.ToArguments()) info.ArgumentList.Add(arg);
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process, options);
        // Asynchronous reads: a synchronous ReadLine on a busy child's pipe has stalled tests here before.
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (child._output) child._output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (child._output) child._output.Add("stderr: " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public AckSnapshot ReadAck() => AckFile.Read(Options.AckPath, Options.Threads);

    /// <summary>Polls the ack file until <paramref name="condition"/> holds; throws after <paramref name="timeout"/> or if the child exits.</summary>
    public AckSnapshot WaitFor(Func<AckSnapshot, bool> condition, TimeSpan timeout, string what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            AckSnapshot ack = ReadAck();
            if (condition(ack)) return ack;
            if (_process.HasExited) throw new TortureException($"the child exited (code {_process.ExitCode}) while waiting for {what}; output:\n{string.Join("\n", Output)}");
            if (DateTime.UtcNow > deadline) throw new TortureException($"timed out after {timeout.TotalSeconds} s waiting for {what}; ack {ack}; output:\n{string.Join("\n", Output)}");
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
            if (DateTime.UtcNow > deadline) throw new TortureException($"timed out after {timeout.TotalSeconds} s waiting for output '{text}'; output:\n{string.Join("\n", Output)}");
            Thread.Sleep(5);
        }
    }

    /// <summary>SIGKILL (Process.Kill on Linux: no finalizers, no flush, no Dispose); returns the acks as the kill left them.</summary>
    public AckSnapshot Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
        if (!_process.WaitForExit(20_000)) throw new TortureException("the killed child did not exit");
        _process.WaitForExit(); // drains the output readers
        return ReadAck();
    }

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

/// <summary>A torture check that failed: the message says what was expected and what was found.</summary>
internal sealed class TortureException : Exception
{
    public TortureException(string message) : base(message)
    {
    }
}
