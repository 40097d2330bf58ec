using System.Collections.Generic;
using System.IO;
using Sinks.Mmap.Tool.Commands;
using System.Text;
using System.Text.Json;

namespace Sinks.Mmap.Tool.Output;

/// <summary>
/// <c>verify --json</c>: <c>{"clean":bool,"segments":[{"path","segmentNumber","problem","bytes","sealed",
/// "records","events","firstSequence","lastSequence","tornTail":{"offset","length"}|null,"holes":[{"offset","length"}],
/// "lostInCrash","corruptRanges":[...],"gaps":[{"expected","found"}],"undecodableRecords","clean"}],
/// "gapsBetweenSegments":[{"after","before","expected","found"}]}</c> on one line.
/// </summary>
internal static class VerifyJson
{
    public static void Write(ValidationReport report, List<ChainGap> chainGaps, TextWriter output)
    {
        using var stream = new MemoryStream();
        // Relaxed escaping: offsets and paths keep their '+' ("+00:00", not "\u002B00:00").
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteBoolean("clean", report.IsClean && chainGaps.Count == 0);
            json.WriteStartArray("segments");
            foreach (SegmentReport s in report.Segments)
            {
                json.WriteStartObject();
                json.WriteString("path", s.Path);
                Number(json, "segmentNumber", s.SegmentNumber);
                if (s.Problem is null) json.WriteNull("problem");
                else json.WriteString("problem", s.Problem);
                json.WriteNumber("bytes", s.Bytes);
                json.WriteBoolean("sealed", s.Sealed);
                json.WriteNumber("records", s.Records);
                json.WriteNumber("events", s.Events);
                Number(json, "firstSequence", s.FirstSequence);
                Number(json, "lastSequence", s.LastSequence);
                if (s.TornTail is { } tail)
                {
                    json.WritePropertyName("tornTail");
                    Range(json, tail);
                }
                else
                {
                    json.WriteNull("tornTail");
                }
                json.WriteStartArray("holes");
                foreach (ByteRange r in s.Holes) Range(json, r);
                json.WriteEndArray();
                json.WriteNumber("lostInCrash", s.LostInCrash);
                json.WriteStartArray("corruptRanges");
                foreach (ByteRange r in s.CorruptRanges) Range(json, r);
                json.WriteEndArray();
                json.WriteStartArray("gaps");
                foreach (SequenceGap g in s.Gaps)
                {
                    json.WriteStartObject();
                    json.WriteNumber("expected", g.Expected);
                    json.WriteNumber("found", g.Found);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteNumber("undecodableRecords", s.UndecodableRecords);
                json.WriteBoolean("clean", s.IsClean);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("gapsBetweenSegments");
            foreach (ChainGap g in chainGaps)
            {
                json.WriteStartObject();
                json.WriteString("after", g.AfterPath);
                json.WriteString("before", g.BeforePath);
                json.WriteNumber("expected", g.Gap.Expected);
                json.WriteNumber("found", g.Gap.Found);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        output.Write(Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length));
        output.Write('\n');
    }

    private static void Number(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }

    private static void Range(Utf8JsonWriter json, ByteRange range)
    {
        json.WriteStartObject();
        json.WriteNumber("offset", range.Offset);
        json.WriteNumber("length", range.Length);
        json.WriteEndObject();
    }
}
