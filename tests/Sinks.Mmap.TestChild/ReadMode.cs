using System;
using System.Globalization;
using System.IO;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.TestChild;

/// <summary>
/// <c>read &lt;log path&gt;</c>: reads a log the way an application would, through the core's public
/// reader and renderers, so tests can run it under a heap or CPU limit: every record
/// (<see cref="MmapLogReader.ReadRecords"/>), each event's message through the file sink's output
/// template into a writer that only counts, then <see cref="MmapLogReader.Validate"/>. Prints one line,
/// <c>records=… events=… undecodable=… rendered=… rendered-messages=… clean=…</c>, and exits 0.
/// </summary>
internal static class ReadMode
{
    public static int Run(string path)
    {
        var reader = new MmapLogReader(path);
        var formatter = new OutputTemplateFormatter();
        var counter = new CountingWriter();
        long records = 0, events = 0, undecodable = 0, renderedMessages = 0;
        foreach (MmapRecord record in reader.ReadRecords())
        {
            records++;
            if (record.Kind != MmapRecordKind.Event) continue;
            if (record.Event is not { } evt)
            {
                undecodable++;
                continue;
            }
            events++;
            renderedMessages += evt.RenderedMessage?.Length ?? 0;
            formatter.Format(evt, counter);
        }
        ValidationReport report = reader.Validate();
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"records={records} events={events} undecodable={undecodable} rendered={counter.Chars} rendered-messages={renderedMessages} clean={report.IsClean}"));
        return 0;
    }

    /// <summary>Counts what is written, keeping nothing.</summary>
    private sealed class CountingWriter : TextWriter
    {
        public long Chars { get; private set; }

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => Chars++;

        public override void Write(ReadOnlySpan<char> buffer) => Chars += buffer.Length;

        public override void Write(string? value) => Chars += value?.Length ?? 0;

        public override void Write(char[] buffer, int index, int count) => Chars += count;
    }
}
