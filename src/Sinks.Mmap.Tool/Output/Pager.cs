using System;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace Sinks.Mmap.Tool.Output;

/// <summary>
/// <c>cat</c> on a terminal writes through a pager, as <c>git log</c> does: <c>$MMAPLOG_PAGER</c>, else
/// <c>$PAGER</c>, else <c>less</c>, run by <c>/bin/sh -c</c>, with <c>LESS=FRX</c> when <c>LESS</c> is unset
/// (<c>-F</c>: output that fits the screen is printed and less exits; <c>-R</c>: the level colours show;
/// <c>-X</c>: what was shown stays on the screen). No pager when stdout is not a terminal, with
/// <c>--no-pager</c> or <c>-f</c>, or when the pager cannot be started (then the output goes straight out).
/// </summary>
internal sealed class Pager : IDisposable
{
    private readonly Process _process;

    private Pager(Process process, TextWriter input)
    {
        _process = process;
        Input = input;
    }

    /// <summary>Where the output goes: the pager's standard input.</summary>
    public TextWriter Input { get; }

    /// <summary>The pager command a terminal gets, or null for none (an empty or <c>cat</c> pager means none, as for git).</summary>
    public static string? Command()
    {
        string? command = Environment.GetEnvironmentVariable("MMAPLOG_PAGER") ?? Environment.GetEnvironmentVariable("PAGER") ?? "less";
        command = command.Trim();
        return command.Length == 0 || command == "cat" ? null : command;
    }

    /// <summary>Starts <paramref name="command"/>; null when it cannot be started.</summary>
    public static Pager? Start(string command)
    {
        if (OperatingSystem.IsWindows()) return null;
        var info = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        if (Environment.GetEnvironmentVariable("LESS") is null) info.Environment["LESS"] = "FRX";
        try
        {
            Process process = Process.Start(info)!;
            var input = new StreamWriter(process.StandardInput.BaseStream, new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
            return new Pager(process, input);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return null;
        }
    }

    /// <summary>Closes the pager's input and waits until the user quits it.</summary>
    public void Dispose()
    {
        try
        {
            Input.Dispose();
        }
        catch (IOException)
        {
            // The user quit the pager before the end: nothing more to show.
        }
        _process.WaitForExit();
        _process.Dispose();
    }
}
