using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;

namespace Sinks.Mmap.TestSupport;

/// <summary>The outcome of a <see cref="LimitedProcess"/> run.</summary>
internal sealed record LimitedResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>A sentence for assertion messages: the exit code explained, and what the process wrote.</summary>
    public string Describe() =>
        $"exit {ExitCode}{ExitCode switch { 137 => " (SIGKILL: past its CPU-time limit, or killed)", 152 => " (SIGXCPU: past its CPU-time limit)", _ => "" }}; " +
        $"stdout: {Clip(Stdout)}; stderr: {Clip(Stderr)}";

    private static string Clip(string text) => text.Length <= 400 ? text : text.Substring(0, 400) + "…";
}

/// <summary>
/// Runs a .NET program in a child process under resource limits, so a test can hold a reader to its
/// bounds without measuring time: a GC heap limit (<c>DOTNET_GCHeapHardLimit</c>: allocating past it
/// throws OutOfMemoryException) and a CPU-time limit (<c>ulimit -t</c>: the kernel ends the process with
/// SIGXCPU). A work that is quadratic or a memory that follows a hostile count fails the run; a
/// bounded one passes with room to spare, however loaded the machine is.
/// </summary>
internal static class LimitedProcess
{
    /// <summary>256 MiB: sixteen times the largest record, far below what an unbounded reader needs.</summary>
    public const long HeapLimit = 256L << 20;

    /// <summary>CPU seconds for a command that takes well under five on the largest hostile shape.</summary>
    public const int CpuSeconds = 60;

    /// <summary>
    /// Runs <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> with the limits and waits for it.
    /// Stdout goes to <paramref name="stdoutFile"/> when given (hostile shapes print hundreds of MB),
    /// else it is captured.
    /// </summary>
    public static LimitedResult Run(string dll, IEnumerable<string> args, long heapLimit = HeapLimit, int cpuSeconds = CpuSeconds,
        string? stdoutFile = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(stdoutFile is null
            ? "ulimit -t \"$LIMIT_CPU\" && exec \"$@\""
            : "ulimit -t \"$LIMIT_CPU\" && exec \"$@\" > \"$LIMIT_STDOUT\"");
        info.ArgumentList.Add("limited");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(dll);
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment["LIMIT_CPU"] = cpuSeconds.ToString(CultureInfo.InvariantCulture);
        if (stdoutFile is not null) info.Environment["LIMIT_STDOUT"] = stdoutFile;
        info.Environment["DOTNET_GCHeapHardLimit"] = "0x" + heapLimit.ToString("X", CultureInfo.InvariantCulture);
        info.Environment["NO_COLOR"] = "1";
        if (environment is not null)
        {
            foreach ((string name, string value) in environment) info.Environment[name] = value;
        }
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        // Not a measure of speed: only a guard so that a hang fails the test instead of the whole run.
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new LimitedResult(-1, stdout.Result, "still running after 10 minutes; killed. " + stderr.Result);
        }
        process.WaitForExit();
        return new LimitedResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The size of a file and its first and last <paramref name="count"/> bytes, read without loading it.</summary>
    public static (long Length, string Head, string Tail) Ends(string path, int count = 64)
    {
        using FileStream file = File.OpenRead(path);
        var head = new byte[Math.Min(count, file.Length)];
        file.ReadExactly(head);
        var tail = new byte[Math.Min(count, file.Length)];
        file.Position = file.Length - tail.Length;
        file.ReadExactly(tail);
        return (file.Length, System.Text.Encoding.UTF8.GetString(head), System.Text.Encoding.UTF8.GetString(tail));
    }
}
