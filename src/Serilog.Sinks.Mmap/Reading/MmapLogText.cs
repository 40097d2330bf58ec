using System;
using System.IO;
using Serilog.Formatting.Display;
using Sinks.Mmap;

namespace Serilog.Sinks.Mmap.Reading;

/// <summary>Renders a memory-mapped log as plain text with a Serilog output template, as the file sink writes it.</summary>
public static class MmapLogText
{
    /// <summary>Serilog.Sinks.File's default output template.</summary>
    public const string DefaultOutputTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

    /// <summary>Writes every event of the log at <paramref name="path"/>, from <paramref name="from"/> on, to <paramref name="output"/>; returns where to resume.</summary>
    public static LogPosition? Write(string path, TextWriter output, string outputTemplate = DefaultOutputTemplate, IFormatProvider? formatProvider = null, LogPosition? from = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var formatter = new MessageTemplateTextFormatter(outputTemplate, formatProvider);
        LogPosition? last = from;
        foreach (MmapEvent e in new MmapLogReader(path).ReadEvents(from))
        {
            formatter.Format(MmapLogEventReader.ToLogEvent(e), output);
            last = e.Position ?? last;
        }
        return last;
    }
}
