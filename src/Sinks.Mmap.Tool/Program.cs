using System;
using System.CommandLine;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Sinks.Mmap.Tool.Commands;

namespace Sinks.Mmap.Tool;

/// <summary>The <c>mmaplog</c> entry point: wiring of the commands, exit codes and Ctrl+C.</summary>
internal static class Program
{
    /// <summary>Everything was read (torn tails and crash losses are fine).</summary>
    public const int ExitOk = 0;
    /// <summary>verify found corruption or sequence gaps.</summary>
    public const int ExitCorrupt = 1;
    /// <summary>Bad usage, an I/O error, or no segments found.</summary>
    public const int ExitUsage = 2;

    private static async Task<int> Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl+C stops the command gracefully (exit 0); a second one ends the process.
            e.Cancel = !cts.IsCancellationRequested;
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            cts.Cancel();
        });
        try
        {
            // A buffered stdout: Console.Out flushes on every write, which costs more than rendering.
            using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
            var context = new ToolContext(stdout, Console.Error)
            {
                StdoutIsTerminal = !Console.IsOutputRedirected,
                StderrIsTerminal = !Console.IsErrorRedirected,
                PagerCommand = Output.Pager.Command(),
                TerminalWidth = TerminalSize(width: true),
                TerminalHeight = TerminalSize(width: false),
            };
            try
            {
                return await RunAsync(args, context, cts.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // A bug, not a user error: still one line, never a stack trace (MMAPLOG_DEBUG=1 shows it).
                if (Environment.GetEnvironmentVariable("MMAPLOG_DEBUG") == "1") Console.Error.WriteLine(e);
                context.Error($"internal error: {e.GetType().Name}: {e.Message}");
                return ExitUsage;
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The terminal's width or height; 100 columns or 40 rows when there is no terminal to ask.</summary>
    private static int TerminalSize(bool width)
    {
        try
        {
            int size = Console.IsOutputRedirected ? 0 : width ? Console.WindowWidth : Console.WindowHeight;
            return size > 0 ? size : width ? 100 : 40;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return width ? 100 : 40;
        }
    }

    /// <summary>Runs <c>mmaplog</c> with the given arguments and writers (no terminal: no colours, no progress bar).</summary>
    internal static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        RunAsync(args, new ToolContext(stdout, stderr), ct);

    /// <summary>Runs <c>mmaplog</c> in <paramref name="context"/>.</summary>
    internal static async Task<int> RunAsync(string[] args, ToolContext context, CancellationToken ct)
    {
        RootCommand root = BuildRoot(context);
        // No response files: an argument starting with @ is a --where expression (@l = 'Error'), never a file to read.
        ParseResult parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0)
        {
            context.Error($"{parsed.Errors[0].Message} (see 'mmaplog --help')");
            return ExitUsage;
        }
        var invocation = new InvocationConfiguration
        {
            Output = context.Stdout,
            Error = context.Stderr,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parsed.InvokeAsync(invocation, ct).ConfigureAwait(false);
        }
        catch (ToolException e)
        {
            context.Error(e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return ExitOk;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MmapFormatException or ArgumentException or NotSupportedException)
        {
            context.Error(e.Message);
            return ExitUsage;
        }
        finally
        {
            try { context.Stdout.Flush(); } catch (IOException) { }
        }
    }

    private static RootCommand BuildRoot(ToolContext context)
    {
        var root = new RootCommand("mmaplog: read, follow, verify, summarise and export Sinks.Mmap logs.\n" +
            "PATH is a segment file (app-000001.mlog), the writer's path (logs/app.mlog) or a folder.\n" +
            "Exit codes: 0 ok, 1 verify found corruption or gaps, 2 usage or I/O error (or no segments).");
        root.Subcommands.Add(CatCommand.Create(context));
        root.Subcommands.Add(VerifyCommand.Create(context));
        root.Subcommands.Add(StatsCommand.Create(context));
        root.Subcommands.Add(ExportCommand.Create(context));
        root.SetAction(_ =>
        {
            context.Error("a command is required: cat, verify, stats or export (see 'mmaplog --help')");
            return ExitUsage;
        });
        return root;
    }
}
