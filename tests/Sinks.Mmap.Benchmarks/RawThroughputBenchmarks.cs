using System;
using System.IO;
using System.Threading;
using BenchmarkDotNet.Attributes;
using Sinks.Mmap.Format;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Benchmarks;

/// <summary>
/// Raw append throughput: records carrying a fixed 1 KiB byte[] (<see cref="EventWriter.WriteBytes"/>)
/// through the writer, against a plain copy of the same 1 KiB into the same kind of mapping (a
/// shared MemoryMappedFile view of a preallocated, pre-faulted 256 MiB file, the storage the
/// writer uses). Every invocation is a batch of <see cref="Batch"/> operations (~100 MB); MB/s
/// counts the 1 024 payload bytes per operation (10^6 bytes a second).
/// </summary>
/// <remarks>
/// A record is 1 064 bytes in the file (28-byte frame, 9 bytes of event body around the
/// 1 024 payload, padding to 8), so a 256 MiB segment holds ~252 000 and a batch fills ~40 % of one.
/// <list type="bullet">
/// <item><see cref="WriterSustained"/>: batch after batch; rotation every ~2.5 batches is inside the
/// number, including waiting for the maintainer when it has not finished preparing the next segment
/// (see <see cref="RotationBenchmarks"/>: ~0.2 s of its time per 256 MiB).</item>
/// <item><see cref="WriterCaughtUp"/>: the same, but each iteration starts after a pause that lets the
/// maintainer finish (untimed): the cost of writing into a segment plus at most one rotation whose
/// next segment is ready.</item>
/// <item><see cref="Memcpy"/> / <see cref="MemcpyCrc"/>: the copy alone, and the copy plus the CRC32C the
/// writer computes; the copy rewrites one mapping that stays resident.</item>
/// </list>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(RawThroughputConfig))]
public unsafe class RawThroughputBenchmarks
{
    public const int PayloadBytes = 1024;
    public const int Batch = 100_000;
    private const long MappingBytes = 256L * 1024 * 1024;

    private BenchLog _log = null!;
    private BytesEvent _event;
    private long _ticks;

    private TempDirectory _directory = null!;
    private MappedSegmentStorage _mapping = null!;
    private byte[] _source = null!;
    private long _offset;
    private uint _crc;

    [GlobalSetup]
    public void Setup()
    {
        _source = new byte[PayloadBytes];
        new Random(7).NextBytes(_source);
        _log = new BenchLog("raw", MappingBytes);
        _event = new BytesEvent(_source);
        _ticks = DateTime.UtcNow.Ticks;

        _directory = new TempDirectory("memcpy");
        string path = Path.Combine(_directory.Path, "copy.bin");
        _mapping = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, MappingBytes), MappingBytes);
        _mapping.Prefault(0, _mapping.Capacity);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.Dispose();
        _mapping.Dispose();
        _directory.Dispose();
        GC.KeepAlive(_crc);
    }

    /// <summary>Untimed: gives the maintainer time to prepare the next segment and close the last.</summary>
    [IterationSetup(Target = nameof(WriterCaughtUp))]
    public void LetMaintainerCatchUp() => Thread.Sleep(500);

    /// <summary>1 KiB records through MmapLogWriter.Append, batch after batch.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void WriterSustained() => AppendBatch();

    /// <summary>1 KiB records through MmapLogWriter.Append, each batch starting with the maintainer idle.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void WriterCaughtUp() => AppendBatch();

    /// <summary>Buffer.MemoryCopy of the same 1 KiB to the next offset of the mapping (wrapping at its end).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public void Memcpy()
    {
        fixed (byte* source = _source)
        {
            for (int i = 0; i < Batch; i++)
            {
                Buffer.MemoryCopy(source, NextSlot(), PayloadBytes, PayloadBytes);
            }
        }
    }

    /// <summary>The copy plus CRC32C over the copied bytes: the two byte-proportional costs of a commit.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void MemcpyCrc()
    {
        uint crc = 0;
        fixed (byte* source = _source)
        {
            for (int i = 0; i < Batch; i++)
            {
                byte* destination = NextSlot();
                Buffer.MemoryCopy(source, destination, PayloadBytes, PayloadBytes);
                crc ^= Crc32C.Compute(new ReadOnlySpan<byte>(destination, PayloadBytes));
            }
        }
        _crc = crc;
    }

    private void AppendBatch()
    {
        MmapLogWriter writer = _log.Writer;
        long ticks = _ticks;
        for (int i = 0; i < Batch; i++)
        {
            writer.Append(ticks, MmapLevel.Information, ref _event);
        }
        _log.Appended += Batch;
    }

    private byte* NextSlot()
    {
        long offset = _offset;
        if (offset + PayloadBytes > MappingBytes)
        {
            offset = 0;
        }
        _offset = offset + PayloadBytes;
        return _mapping.Base + offset;
    }
}

/// <summary>An event whose only property is a byte[].</summary>
internal struct BytesEvent : IEventPayload
{
    public byte[] Data;

    public BytesEvent(byte[] data) => Data = data;

    public readonly void Write(ref EventWriter writer)
    {
        var header = new EventHeader { MessageTemplate = "Blob {Data}", PropertyCount = 1 };
        writer.WriteHeader(header);
        writer.WritePropertyName("Data");
        writer.WriteBytes(Data);
    }
}
