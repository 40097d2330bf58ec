using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using Sinks.Mmap.Tool.Output;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>Figures that stats collects in one pass over the records.</summary>
internal sealed class LogStats
{
    public int Segments { get; private set; }
    public long SegmentBytes { get; private set; }
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

    /// <summary>Distinct templates counted one by one; past this, the rest are counted together (bounded memory).</summary>
    public const int MaxTemplates = 100_000;

    /// <summary>The bucket for templates past <see cref="MaxTemplates"/>.</summary>
    public const string OtherTemplates = "(other templates)";

    public static LogStats Collect(MmapLogReader reader, CancellationToken ct)
    {
        var stats = new LogStats();
        IReadOnlyList<string> files = reader.SegmentFiles();
        stats.Segments = files.Count;
        stats.SegmentBytes = LogSource.TotalBytes(files);
        var clef = new ClefEventOutput();
        var counter = new Utf8CountingWriter();
        foreach (MmapRecord record in reader.ReadRecords())
        {
            if (ct.IsCancellationRequested) break;
            stats.Records++;
            stats.RecordBytes += (record.Length + 7) & ~7L;
            if (record.Kind != MmapRecordKind.Event) continue;
            if (record.Event is not { } evt)
            {
                stats.Undecodable++;
                continue;
            }
            stats.Events++;
            stats.EventBytes += record.Length;
            if ((int)evt.Level is >= 0 and < 6) stats.ByLevel[(int)evt.Level]++;
            if (stats.First is null || evt.Timestamp < stats.First) stats.First = evt.Timestamp;
            if (stats.Last is null || evt.Timestamp > stats.Last) stats.Last = evt.Timestamp;
            string key = evt.MessageTemplate ?? "(no template)";
            if (!stats.Templates.ContainsKey(key) && stats.Templates.Count >= MaxTemplates) key = OtherTemplates;
            if (!stats.Templates.TryGetValue(key, out TemplateStats? template))
            {
                template = new TemplateStats(key);
                stats.Templates.Add(key, template);
            }
            template.Count++;
            template.Bytes += record.Length;
            counter.Reset();
            clef.Write(evt, counter);
            stats.ClefBytes += counter.Bytes;
        }
        return stats;
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
