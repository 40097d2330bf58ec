using System;
using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Sinks.Mmap.Tool.Output;

namespace Sinks.Mmap.Tool.Commands;

/// <summary><c>mmaplog cat PATH</c>: every event in sequence order, optionally following the writer.</summary>
internal static class CatCommand
{
    public static Command Create(ToolContext context)
    {
        Argument<string> path = LogSource.PathArgument();
        Option<string> format = FormatOption(EventOutputs.Text, EventOutputs.Clef, EventOutputs.Json);
        Option<string?> template = OutputTemplateOption();
        Option<bool> raw = RawOption();
        var filters = new FilterOptions();
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Keep printing events as the writer commits them, across rotation, until Ctrl+C (exit 0). May start before the log (and its folder) exists.",
        };
        var tail = new Option<long?>("--tail", "-n")
        {
            Description = "Only the last N matching events (with -f: then keep following). Reads the newest segments only, so it is as quick on a large log as on a small one.",
        };
        Option<string?> from = FromOption();
        Option<string?> save = SavePositionOption("Write the position after the last printed event to this file (while following: every second and at exit).");
        Option<bool> strict = StrictOption();
        var noPager = new Option<bool>("--no-pager")
        {
            Description = "On a terminal, write straight out instead of through the pager ($MMAPLOG_PAGER, $PAGER or less -FRX).",
        };

        var command = new Command("cat", "Print every event in sequence order.") { path, format, template, raw };
        filters.AddTo(command);
        command.Options.Add(tail);
        command.Options.Add(follow);
        command.Options.Add(from);
        command.Options.Add(save);
        command.Options.Add(strict);
        command.Options.Add(noPager);
        command.SetAction(async (result, ct) =>
        {
            string logPath = result.GetValue(path)!;
            bool following = result.GetValue(follow);
            IEventOutput output = EventOutputs.Create(result.GetValue(format)!, result.GetValue(template), context.UseColour, result.GetValue(raw));
            EventFilter filter = filters.Build(result, context);
            LogPosition? start = PositionStore.Resolve(result.GetValue(from), out _);
            long? last = result.GetValue(tail);
            if (last is < 0) throw new ToolException($"--tail: {last} is not a count of events; use 0 or more");
            MmapLogReader reader = LogSource.Open(logPath, following);
            // Like git log: on a terminal, through a pager (which shows short output as it is and exits).
            Pager? pager = !following && !result.GetValue(noPager) && context.StdoutIsTerminal && context.PagerCommand is { } pagerCommand
                ? Pager.Start(pagerCommand)
                : null;
            TextWriter destination = pager?.Input ?? context.Stdout;
            if (filter.Since is { } since) start = Positions.Later(start, reader.TimeStart(since));
            var pump = new EventPump
            {
                Reader = reader,
                Filter = filter,
                Output = output,
                Destination = destination,
                From = start,
                SavePositionPath = result.GetValue(save),
                OnFirstSkip = context.Warning,
            };
            try
            {
                if (last is { } count)
                {
                    pump = await Task.Run(() => Tail(pump, count, ct), CancellationToken.None).ConfigureAwait(false);
                    if (following && !ct.IsCancellationRequested)
                    {
                        // As tail -n N -f: the last N, then what the writers add, from where reading stopped.
                        var follower = new EventPump
                        {
                            Reader = reader,
                            Filter = filter,
                            Output = output,
                            Destination = destination,
                            From = pump.End,
                            SavePositionPath = result.GetValue(save),
                            OnFirstSkip = context.Warning,
                        };
                        context.Stdout.Flush();
                        await follower.FollowAsync(ct).ConfigureAwait(false);
                        pump = follower;
                    }
                }
                else if (following)
                {
                    await pump.FollowAsync(ct).ConfigureAwait(false);
                }
                else
                {
                    await Task.Run(() => pump.ReadAll(ct), CancellationToken.None).ConfigureAwait(false);
                }
                destination.Flush();
            }
            catch (IOException) when (pager is not null)
            {
                // The user quit the pager before the end: nothing more to show, and no error.
                return Program.ExitOk;
            }
            finally
            {
                // Waits until the user quits the pager, so the summary on stderr comes after it.
                pager?.Dispose();
            }
            context.Stdout.Flush();
            return ReportDamage(context, pump.Damage, result.GetValue(strict));
        });
        return command;
    }

    /// <summary>
    /// The last <paramref name="count"/> events <paramref name="pump"/> would print: from the newest segments
    /// holding that many events (more segments back while filters leave too few), count the matches, then
    /// print the last <paramref name="count"/> of them. Returns the pump that printed (its damage and end).
    /// </summary>
    internal static EventPump Tail(EventPump pump, long count, CancellationToken ct)
    {
        LogPosition? from = pump.From;
        long want = Math.Max(count, 1);
        while (true)
        {
            LogPosition? tailStart = pump.Reader.TailStart(want);
            LogPosition? start = Positions.Later(from, tailStart);
            EventPump counter = pump.With(start, skip: 0);
            long matched = counter.CountMatching(ct);
            if (matched >= count || tailStart is null || ct.IsCancellationRequested || want > long.MaxValue / 8)
            {
                EventPump printer = pump.With(start, skip: Math.Max(0, matched - count));
                printer.ReadAll(ct);
                return printer;
            }
            // Filters left too few in the newest segments: look further back, a few times as far each round.
            want *= 8;
        }
    }

    /// <summary>
    /// Says in one line on stderr what could not be read, if anything: a warning (exit 0), or with
    /// <c>--strict</c> an error (exit 1), so a pipeline can tell a complete read from a partial one.
    /// </summary>
    internal static int ReportDamage(ToolContext context, DamageSummary damage, bool strict)
    {
        if (!damage.Any) return Program.ExitOk;
        if (strict)
        {
            context.Error(damage.Describe());
            return Program.ExitCorrupt;
        }
        context.Warning(damage.Describe());
        return Program.ExitOk;
    }

    internal static Option<string> FormatOption(params string[] formats)
    {
        var option = new Option<string>("--format")
        {
            Description = "Output format: " + string.Join(", ", formats) + ".",
            DefaultValueFactory = _ => formats[0],
        };
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (value is not null && Array.IndexOf(formats, value) < 0)
            {
                result.AddError($"--format: '{value}' is not one of {string.Join(", ", formats)}");
            }
        });
        return option;
    }

    internal static Option<string?> OutputTemplateOption() => new("--output-template", "-t")
    {
        Description = "Serilog output template for --format text; default: " + Sinks.Mmap.Rendering.OutputTemplateFormatter.DefaultOutputTemplate,
    };

    internal static Option<bool> RawOption() => new("--raw")
    {
        Description = "With --format text: write control characters from events as they are. By default they are escaped (\\x1B), so an event cannot drive the terminal.",
    };

    internal static Option<bool> StrictOption() => new("--strict")
    {
        Description = "Exit 1 when anything could not be read (damaged ranges, undecodable records, unreadable segments, gaps); it is always said on stderr.",
    };

    internal static Option<string?> FromOption() => new("--from")
    {
        Description = "Start after this position (segment:offset:sequence), or at the position stored in this file.",
    };

    internal static Option<string?> SavePositionOption(string description) => new("--save-position")
    {
        Description = description,
    };
}
