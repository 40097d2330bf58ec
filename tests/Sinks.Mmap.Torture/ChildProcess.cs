using System;
using System.Collections.Generic;
using System.IO;

namespace Sinks.Mmap.Torture;

/// <summary>A running child: <c>dotnet Sinks.Mmap.Torture.dll child …</c> (a <see cref="DotnetChild"/>) and its ack file.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly DotnetChild _child;

    private ChildProcess(DotnetChild child, ChildOptions options)
    {
        _child = child;
        Options = options;
    }

    public ChildOptions Options { get; }
    public int Id => _child.Id;
    public bool HasExited => _child.HasExited;
    public int ExitCode => _child.ExitCode;

    /// <summary>Everything the child printed so far; stderr lines start with "stderr: ".</summary>
    public IReadOnlyList<string> Output => _child.Output;

    public static string HarnessDll => DotnetChild.BesideTests("Sinks.Mmap.Torture.dll");

    /// <summary>Starts a child with a fresh ack file; <paramref name="harnessDll"/> defaults to this build's.</summary>
    public static ChildProcess Start(ChildOptions options, string? harnessDll = null, string? userName = null)
    {
        AckFile.Reset(options.AckPath);
        if (userName is not null && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(options.AckPath, (UnixFileMode)0b110_110_110);
        }
        return new ChildProcess(DotnetChild.Start(harnessDll ?? HarnessDll, options.ToArguments(), userName), options);
    }

    public AckSnapshot ReadAck() => AckFile.Read(Options.AckPath, Options.Threads);

    /// <summary>Polls the ack file until <paramref name="condition"/> holds; throws after <paramref name="timeout"/> or if the child exits.</summary>
    public AckSnapshot WaitFor(Func<AckSnapshot, bool> condition, TimeSpan timeout, string what) => _child.WaitFor(ReadAck, condition, timeout, what);

    /// <summary>Waits until the child printed a line containing <paramref name="text"/>; returns that line.</summary>
    public string WaitForOutput(string text, TimeSpan timeout) => _child.WaitForOutput(text, timeout);

    /// <summary>SIGKILL (Process.Kill on Linux: no finalizers, no flush, no Dispose); returns the acks as the kill left them.</summary>
    public AckSnapshot Kill()
    {
        _child.Kill();
        return ReadAck();
    }

    public bool WaitForExit(TimeSpan timeout) => _child.WaitForExit(timeout);

    public void Dispose() => _child.Dispose();
}

/// <summary>A torture check that failed: the message says what was expected and what was found.</summary>
internal sealed class TortureException : ChildProcessException
{
    public TortureException(string message) : base(message)
    {
    }
}
