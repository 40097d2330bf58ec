using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using Sinks.Mmap.Storage;
using Sinks.Mmap.Writing;

namespace Sinks.Mmap.Benchmarks;

/// <summary>
/// The two encoding passes of an append on their own (no claim, no CRC, no store into the
/// mapping): the measuring pass, which interns the template and property names in the segment's
/// string table (all hits here), then the encoding pass into a buffer. Subtract it from
/// <see cref="AppendBenchmarks"/> to see what claim + commit cost.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchConfig))]
public class EncodeBenchmarks
{
    private TempDirectory _directory = null!;
    private SegmentStorage _storage = null!;
    private ActiveSegment _segment = null!;
    private ThreePropertyEvent _event;
    private byte[] _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = new TempDirectory("encode");
        string path = Path.Combine(_directory.Path, "e-000001.mlog");
        const long size = 1024 * 1024;
        _storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, size), size);
        _segment = new ActiveSegment(_storage, 1, 1, DateTime.UtcNow.Ticks, long.MaxValue);
        _event = new ThreePropertyEvent("Processed {Number} items for {Text} in {Elapsed} ms", 42, "customer-1234", 12.5);
        _buffer = new byte[256];
        // Intern everything once, as the first event of a segment does.
        var warm = new EventWriter(_segment);
        _event.Write(ref warm);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _storage.Dispose();
        _directory.Dispose();
    }

    [Benchmark]
    public int MeasureAndEncode()
    {
        var measure = new EventWriter(_segment);
        _event.Write(ref measure);
        var writer = new EventWriter(_segment, _buffer.AsSpan(0, measure.Position));
        _event.Write(ref writer);
        return writer.Position;
    }
}
