using System;
using BenchmarkDotNet.Attributes;

namespace Sinks.Mmap.Benchmarks;

/// <summary>
/// Encode + commit of one event (interned template, properties int, string, double) through
/// <see cref="MmapLogWriter.Append{TPayload}"/>: measuring pass, CAS claim, encoding pass into the
/// mapping, CRC32C and release-store of the length word.
/// </summary>
/// <remarks>
/// Rotation is part of the cost, amortized, never skipped: with 256 MiB segments a segment holds
/// ~4.2 million of these 64-byte records, so each measured iteration (~0.5 s) crosses a
/// segment boundary about once and pays its seal, re-interning (4 Definition records) and the new
/// ActiveSegment. The 4 MiB case rotates every ~65 500 records, so the difference between the two
/// rows is what rotation costs when it is frequent. Preparing the next segment (fallocate +
/// pre-faulting every page) runs on the writer's maintainer thread; with 2 cores it competes with
/// the 2-thread case, which is real. Each run prints how many records and rotations it did;
/// <see cref="RotationBenchmarks"/> measures the maintainer's side.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(BenchConfig))]
public unsafe class AppendBenchmarks
{
    public const int PerThread = 200_000;
    private const int CopyArea = 64 << 20;

    // The floor: the same record's bytes copied into memory already faulted in, and their CRC32C.
    private byte[] _record = Array.Empty<byte>();
    private byte* _copyArea;
    private int _copyAt;

    private BenchLog _log = null!;
    private TwoThreads _pair = null!;
    private ThreePropertyEvent _event;
    private long _ticks;

    [Params(256, 4)]
    public int SegmentMiB { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _log = new BenchLog("append", SegmentMiB * 1024L * 1024);
        _event = new ThreePropertyEvent("Processed {Number} items for {Text} in {Elapsed} ms", 42, "customer-1234", 12.5);
        _ticks = DateTime.UtcNow.Ticks;
        _pair = new TwoThreads(AppendMany);
        // As long as the record Append writes (its strings interned): how far one more append moves the tail.
        Sinks.Mmap.Writing.ActiveSegment current = _log.Writer.Rotation.Current!;
        _log.Writer.Append(_ticks, MmapLevel.Information, ref _event);
        int before = current.ClaimedEnd;
        _log.Writer.Append(_ticks, MmapLevel.Information, ref _event);
        _log.Appended += 2;
        _record = new byte[current.ClaimedEnd - before];
        new Random(1).NextBytes(_record);
        _copyArea = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(CopyArea);
        for (int i = 0; i < CopyArea; i += 4096) _copyArea[i] = 1;
    }

    /// <summary>Copy + CRC32C of one record of the same length into pre-faulted memory: the cost Append is compared to (the Ratio column).</summary>
    [Benchmark(Baseline = true)]
    public uint CopyAndCrc()
    {
        byte* target = _copyArea + _copyAt;
        _copyAt = _copyAt + _record.Length > CopyArea - _record.Length ? 0 : _copyAt + _record.Length;
        _record.CopyTo(new Span<byte>(target, _record.Length));
        return Sinks.Mmap.Format.Crc32C.Compute(new ReadOnlySpan<byte>(target + 4, _record.Length - 4));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pair.Dispose();
        _log.Dispose();
        System.Runtime.InteropServices.NativeMemory.Free(_copyArea);
    }

    /// <summary>One append on one thread.</summary>
    [Benchmark]
    public bool OneThread()
    {
        _log.Appended++;
        return _log.Writer.Append(_ticks, MmapLevel.Information, ref _event);
    }

    /// <summary><see cref="PerThread"/> appends on each of 2 threads at once; the time is per record (wall time / all records).</summary>
    [Benchmark(OperationsPerInvoke = 2 * PerThread)]
    public void TwoThreads()
    {
        _pair.Run();
        _log.Appended += 2 * PerThread;
    }

    private void AppendMany(int thread)
    {
        MmapLogWriter writer = _log.Writer;
        ThreePropertyEvent e = _event;
        long ticks = _ticks;
        for (int i = 0; i < PerThread; i++)
        {
            e.Number = i;
            writer.Append(ticks, MmapLevel.Information, ref e);
        }
    }
}

/// <summary>A payload with an interned template and three properties (int, string, double), as the adapters write them.</summary>
internal struct ThreePropertyEvent : IEventPayload
{
    public string Template;
    public int Number;
    public string Text;
    public double Elapsed;

    public ThreePropertyEvent(string template, int number, string text, double elapsed)
    {
        Template = template;
        Number = number;
        Text = text;
        Elapsed = elapsed;
    }

    public readonly void Write(ref EventWriter writer)
    {
        var header = new EventHeader { MessageTemplate = Template, PropertyCount = 3 };
        writer.WriteHeader(header);
        writer.WritePropertyName("Number");
        writer.WriteInt32(Number);
        writer.WritePropertyName("Text");
        writer.WriteString(Text);
        writer.WritePropertyName("Elapsed");
        writer.WriteDouble(Elapsed);
    }
}
