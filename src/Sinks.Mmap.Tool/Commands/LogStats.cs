using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using Sinks.Mmap.Reading;
using Sinks.Mmap.Rendering;
using Sinks.Mmap.Tool.Output;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>
/// Figures that stats collects in one pass over the records. It walks each record's bytes (the frame,
/// the head of the event body, the CLEF line measured without being kept) and decodes only events the
/// CLEF path does not cover, so no event's size ever becomes the tool's.
/// </summary>
internal sealed class LogStats
{
    public int Segments { get; private set; }
    public long SegmentBytes { get; private set; }
    /// <summary>What the segments hold, compressed ones counted at the size they hold.</summary>
    public long ContentBytes { get; private set; }
    /// <summary>Segments stored compressed (FORMAT.md, Compressed segments).</summary>
    public int CompressedSegments { get; private set; }
    public long Records { get; private set; }
    public long RecordBytes { get; private set; }
    public long Events { get; private set; }
    public long EventBytes { get; private set; }
    public long ClefBytes { get; private set; }
    public long Undecodable { get; private set; }
    public long[] ByLevel { get; } = new long[6];
    public DateTimeOffset? First { get; private set; }
    public DateTimeOffset? Last { get; private set; }
    public Dictionary<string, TemplateStats> Templates { get; } = new(StringComparer.Ordinal);
    public DamageSummary Damage { get; private set; } = new();

    /// <summary>Events per time bucket by level.</summary>
    public TimeHistogram Timeline { get; } = new();

    /// <summary>Distinct templates counted one by one; past this, the rest are counted together (bounded memory).</summary>
    public const int MaxTemplates = 100_000;

    /// <summary>The bucket for templates past <see cref="MaxTemplates"/>.</summary>
    public const string OtherTemplates = "(other templates)";

    private const string NoTemplate = "(no template)";

    public static LogStats Collect(MmapLogReader reader, CancellationToken ct)
    {
        var stats = new LogStats();
        IReadOnlyList<string> files = reader.SegmentFiles();
        stats.Segments = files.Count;
        stats.SegmentBytes = LogSource.TotalBytes(files);
        foreach (string file in files)
        {
            long content = MmapLogReader.ContentLength(file);
            stats.ContentBytes += content;
            if (content != new System.IO.FileInfo(file).Length) stats.CompressedSegments++;
        }
        var clef = new ClefWriter();
        var decoded = new ClefEventOutput();
        var counter = new Utf8CountingWriter();
        using MmapRecordStream records = reader.OpenRecordStream();
        while (records.MoveNext())
        {
            if (ct.IsCancellationRequested) break;
            stats.Records++;
            stats.RecordBytes += (records.Length + 7) & ~7L;
            if (records.Kind != MmapRecordKind.Event) continue;
            long clefBytes;
            switch (clef.Measure(records, out clefBytes))
            {
                case ClefRecordResult.Undecodable:
                    stats.Undecodable++;
                    continue;
                case ClefRecordResult.NeedsDecoding:
                    MmapEvent evt = records.DecodeEvent()!;
                    counter.Reset();
                    decoded.Write(evt, counter);
                    clefBytes = counter.Bytes;
                    break;
            }
            // The event decodes, so its head reads and its level is in range.
            records.TryReadEventHead(out DateTimeOffset timestamp, out string? messageTemplate);
            byte level = (byte)records.Level;
            stats.Events++;
            stats.EventBytes += records.Length;
            stats.ClefBytes += clefBytes;
            stats.ByLevel[level]++;
            stats.Timeline.Add(records.UtcTicks, level);
            if (stats.First is null || timestamp < stats.First) stats.First = timestamp;
            if (stats.Last is null || timestamp > stats.Last) stats.Last = timestamp;
            TemplateStats template = stats.TemplateFor(messageTemplate ?? NoTemplate);
            template.Count++;
            template.Bytes += records.Length;
        }
        stats.Damage = DamageSummary.Of(records.Reports, null);
        return stats;
    }

    private TemplateStats TemplateFor(string text)
    {
        if (!Templates.ContainsKey(text) && Templates.Count >= MaxTemplates) text = OtherTemplates;
        if (!Templates.TryGetValue(text, out TemplateStats? template))
        {
            template = new TemplateStats(text);
            Templates.Add(text, template);
        }
        return template;
    }
}

/// <summary>Count and bytes of one message template.</summary>
internal sealed class TemplateStats
{
    public TemplateStats(string template) => Template = template;

    public string Template { get; }
    public long Count { get; set; }
    public long Bytes { get; set; }
}

/// <summary>A writer that only counts the UTF-8 bytes written to it.</summary>
internal sealed class Utf8CountingWriter : TextWriter
{
    public long Bytes { get; private set; }

    public override Encoding Encoding => Encoding.UTF8;

    public void Reset() => Bytes = 0;

    public override void Write(char value) => Bytes += value < 0x80 ? 1 : value < 0x800 ? 2 : char.IsSurrogate(value) ? 2 : 3;

    public override void Write(ReadOnlySpan<char> buffer) => Bytes += Encoding.UTF8.GetByteCount(buffer);

    public override void Write(string? value)
    {
        if (value is not null) Bytes += Encoding.UTF8.GetByteCount(value);
    }

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(StringBuilder? value)
    {
        if (value is null) return;
        foreach (ReadOnlyMemory<char> chunk in value.GetChunks()) Write(chunk.Span);
    }
}
