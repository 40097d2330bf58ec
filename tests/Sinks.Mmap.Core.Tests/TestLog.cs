using System;
using System.Collections.Generic;
using System.IO;

namespace Sinks.Mmap.Core.Tests;

/// <summary>A temporary folder (a <see cref="TempFolder"/>) for one test's log, with the options and errors of its writer.</summary>
internal sealed class TestLog : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<Sinks.Mmap.Storage.MappedSegmentStorage> _storages = new();

    public TestLog(string name = "app")
    {
        Path_ = _folder.File(name + ".mlog");
    }

    public string Directory => _folder.Path;

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

    /// <summary>
    /// A segment of its own in this folder (<paramref name="name"/>-000001.mlog, number 1, first sequence 1),
    /// mapped and written directly, without a writer; unmapped when the log is disposed.
    /// </summary>
    public Sinks.Mmap.Writing.ActiveSegment StandaloneSegment(string name, long ticks, long size = 64 * 1024)
    {
        string path = System.IO.Path.Combine(Directory, name + "-000001.mlog");
        var storage = new Sinks.Mmap.Storage.MappedSegmentStorage(path, Sinks.Mmap.Storage.SegmentFiles.CreatePreallocated(path, size), size);
        _storages.Add(storage);
        return new Sinks.Mmap.Writing.ActiveSegment(storage, 1, 1, ticks, long.MaxValue);
    }

    public void Dispose()
    {
        foreach (var storage in _storages) storage.Dispose();
        _folder.Dispose();
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
