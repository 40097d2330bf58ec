using System;
using System.Collections.Generic;
using System.IO;

namespace Sinks.Mmap.Core.Tests;

/// <summary>A temporary folder for one test's log, deleted afterwards.</summary>
internal sealed class TestLog : IDisposable
{
    public TestLog(string name = "app")
    {
        Directory = Path.Combine(Path.GetTempPath(), "sinks-mmap-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path_ = System.IO.Path.Combine(Directory, name + ".mlog");
    }

    public string Directory { get; }

    // "Path" would hide System.IO.Path inside this class.
    public string Path_ { get; }

    public List<MmapLogError> Errors { get; } = new();

    public MmapLogOptions Options(long segmentSize = 64 * 1024) => new()
    {
        Path = Path_,
        SegmentSizeBytes = segmentSize,
        OnError = e => { lock (Errors) Errors.Add(e); },
    };

    public string[] SegmentFiles() => System.IO.Directory.GetFiles(Directory, "*-*.mlog");

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A payload with a template and three properties, as the adapters write them.</summary>
internal struct SimpleEvent : IEventPayload
{
    public string Template;
    public int Number;
    public string Text;
    public double Elapsed;
    public bool Plain;
    public string? Rendered;

    public SimpleEvent(string template, int number, string text, double elapsed)
    {
        Template = template;
        Number = number;
        Text = text;
        Elapsed = elapsed;
    }

    public void Write(ref EventWriter writer)
    {
        var header = new EventHeader { MessageTemplate = Template, PropertyCount = 3, RenderedMessageIsPlain = Plain, RenderedMessage = Rendered };
        writer.WriteHeader(header);
        writer.WritePropertyName("Number");
        writer.WriteInt32(Number);
        writer.WritePropertyName("Text");
        writer.WriteString(Text);
        writer.WritePropertyName("Elapsed");
        writer.WriteDouble(Elapsed);
    }
}
