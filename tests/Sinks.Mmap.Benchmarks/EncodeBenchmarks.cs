using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using Sinks.Mmap.Storage;
using Sinks.Mmap.Writing;

namespace Sinks.Mmap.Benchmarks;

/// <summary>
/// Encoding on its own (no claim, no CRC, no store into the mapping). <see cref="MeasureAndEncode"/>
/// is the two-pass route (measure and intern, then encode into the exact span), which the writer takes
/// for events larger than its scratch buffer; <see cref="ScratchPass"/> is the usual single pass into
/// the per-thread scratch buffer (the writer then copies it into the claimed slot), with the thread's
/// remembered string ids as the writer uses them. Template and property names are interned hits here.
/// Subtract from <see cref="AppendBenchmarks"/> to see what claim + commit cost.
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
    private readonly RecentStringRefs _recent = new();
    // The encoder's per-level counts, as the writer passes them (from its stack).
    private readonly int[] _levels = new int[EventWriter.LevelStackSize];

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
        var warm = EventWriter.ForMeasuring(_segment);
        _event.Write(ref warm);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _storage.Dispose();
        _directory.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int MeasureAndEncode()
    {
        var measure = EventWriter.ForMeasuring(_segment, _levels);
        _event.Write(ref measure);
        var writer = EventWriter.ForExactSpan(_segment, _buffer.AsSpan(0, measure.Position), _levels);
        _event.Write(ref writer);
        return writer.Position;
    }

    [Benchmark]
    public int ScratchPass()
    {
        _recent.BindTo(_segment);
        var writer = EventWriter.ForScratch(_segment, _buffer, _recent, _levels);
        _event.Write(ref writer);
        return writer.Position;
    }
}
