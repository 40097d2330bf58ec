using System;
using System.IO;

namespace Sinks.Mmap.Tool;

/// <summary>Where a run writes and what kind of terminal it has.</summary>
internal sealed class ToolContext
{
    public ToolContext(TextWriter stdout, TextWriter stderr)
    {
        Stdout = stdout;
        Stderr = stderr;
    }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    /// <summary>True when stdout is a terminal: colours may be used (unless NO_COLOR is set).</summary>
    public bool StdoutIsTerminal { get; init; }

    /// <summary>True when stderr is a terminal: export may show a progress bar.</summary>
    public bool StderrIsTerminal { get; init; }

    /// <summary>The pager <c>cat</c> writes through when stdout is a terminal (see <see cref="Output.Pager"/>); null for none.</summary>
    public string? PagerCommand { get; init; }

    /// <summary>The terminal's width in columns, when stdout is one (100 otherwise).</summary>
    public int TerminalWidth { get; init; } = 100;

    /// <summary>The terminal's height in rows (the pager starts when the output is taller), when stdout is one.</summary>
    public int TerminalHeight { get; init; } = 40;

    /// <summary>The zone in which times without an offset (<c>--since 10:00</c>, <c>today</c>) are read: the machine's.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Local;

    /// <summary>The clock for relative times (<c>--since 15m</c>).</summary>
    public Func<DateTimeOffset> Now { get; init; } = () => DateTimeOffset.UtcNow;

    /// <summary>True when stdout gets ANSI colours: a terminal, and NO_COLOR unset or empty.</summary>
    public bool UseColour => StdoutIsTerminal && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>Writes one <c>mmaplog: error: ...</c> line to stderr.</summary>
    public void Error(string message)
    {
        Stderr.WriteLine("mmaplog: error: " + OneLine(message));
        Stderr.Flush();
    }

    /// <summary>Writes one <c>mmaplog: warning: ...</c> line to stderr.</summary>
    public void Warning(string message)
    {
        Stderr.WriteLine("mmaplog: warning: " + OneLine(message));
        Stderr.Flush();
    }

    /// <summary>The message on one line: line ends, tabs and runs of spaces become one space.</summary>
    private static string OneLine(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message, @"\s+", " ").Trim();
}

/// <summary>A failure the tool reports as one line and an exit code (2 unless said otherwise).</summary>
internal sealed class ToolException : Exception
{
    public ToolException(string message, int exitCode = Program.ExitUsage) : base(message) => ExitCode = exitCode;

    public int ExitCode { get; }
}
