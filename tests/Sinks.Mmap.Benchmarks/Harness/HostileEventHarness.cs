using System;
using System.Diagnostics;
using System.IO;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// <c>hostile</c>: what one log call of each event that used to hurt the process costs now, through
/// the core writer and the Serilog sink (docs/RELIABILITY.md, sections 6–8). A plain timing loop: each
/// case runs once to warm up, then the best of five is printed, with what became of the event.
/// </summary>
internal static class HostileEventHarness
{
    public static int Run(string[] args)
    {
        string dir = Path.Combine(Path.GetTempPath(), "mmap-hostile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var writer = new MmapLogWriter(new MmapLogOptions { Path = Path.Combine(dir, "core.mlog"), SegmentSizeBytes = 64L << 20, RollingInterval = SegmentInterval.Day });
            string huge = new('x', 64 << 20);
            string mebibyte = new('y', 1 << 20);
            long ticks = DateTime.UtcNow.Ticks;
            Console.WriteLine("| event | one log call (best of 5) | outcome |");
            Console.WriteLine("|---|--:|---|");
            Row("core: a 64 MiB string referred to 40 times (2.5 GiB)", () =>
            {
                var e = new References(huge, 40);
                return writer.Append(ticks, MmapLevel.Information, ref e) ? "written" : "dropped";
            });
            Row("core: a 1 MiB string referred to 2,100 times (2.1 GiB)", () =>
            {
                var e = new References(mebibyte, 2100);
                return writer.Append(ticks, MmapLevel.Information, ref e) ? "written" : "dropped";
            });
            Row("core: a 15 MiB event (a 1 MiB string 15 times), the largest kind that fits", () =>
            {
                var e = new References(mebibyte, 15);
                return writer.Append(ticks, MmapLevel.Information, ref e) ? "written" : "dropped";
            });
            Row("core: stamped a tick before DateTime.MaxValue, daily rolling", () =>
            {
                var e = new References("x", 1);
                return writer.Append(DateTime.MaxValue.Ticks - 1, MmapLevel.Information, ref e) ? "written (current segment)" : "dropped";
            });
            writer.Dispose();

            LogEventPropertyValue deep = new ScalarValue(0);
            for (int i = 0; i < 100_000; i++)
            {
                deep = new StructureValue(new[] { new LogEventProperty("Child", deep) }, "Node");
            }
            var template = new Serilog.Parsing.MessageTemplateParser().Parse("Deep {Deep}");
            Link chain = Link.Chain(150);
            using (Logger logger = new LoggerConfiguration().Destructure.ToMaximumDepth(200).WriteTo.Mmap(Path.Combine(dir, "serilog.mlog")).CreateLogger())
            {
                Row("Serilog: an enricher's StructureValue 100,000 levels deep", () =>
                {
                    logger.Write(new LogEvent(DateTimeOffset.Now, LogEventLevel.Information, null, template, new[] { new LogEventProperty("Deep", deep) }));
                    return "written, truncated at level 64";
                });
                Row("Serilog: a chain destructured 150 levels deep (ToMaximumDepth(200))", () =>
                {
                    logger.Information("Chain {@Chain}", chain);
                    return "written, truncated at level 64";
                });
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
        return 0;
    }

    private static void Row(string name, Func<string> call)
    {
        string outcome = call();
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            outcome = call();
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"| {name} | {best:F3} ms | {outcome} |");
    }

    private readonly struct References : IEventPayload
    {
        private readonly string _text;
        private readonly int _count;

        public References(string text, int count)
        {
            _text = text;
            _count = count;
        }

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = "Texts {Texts}", PropertyCount = 1 });
            writer.WritePropertyName("Texts");
            if (!writer.BeginSequence(_count)) return;
            for (int i = 0; i < _count && !writer.IsRejected; i++)
            {
                writer.WriteString(_text);
            }
        }
    }

    private sealed class Link
    {
        public int Index { get; set; }
        public Link? Next { get; set; }

        public static Link Chain(int length)
        {
            var head = new Link();
            Link current = head;
            for (int i = 1; i < length; i++)
            {
                current.Next = new Link { Index = i };
                current = current.Next;
            }
            return head;
        }
    }
}
