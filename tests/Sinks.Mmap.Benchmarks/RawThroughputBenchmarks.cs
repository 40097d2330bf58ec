using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using Sinks.Mmap.Format;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Benchmarks;

/// <summary>
/// Raw append throughput: records carrying a fixed 1 KiB byte[] (<see cref="EventWriter.WriteBytes"/>)
/// through the writer, against a plain copy of the same 1 KiB into the same kind of mapping (a
/// shared MemoryMappedFile view of a preallocated, pre-faulted 256 MiB file, the storage the
/// writer uses). MB/s counts the 1 024 payload bytes per operation (10^6 bytes a second).
/// </summary>
/// <remarks>
/// A record is 1 064 bytes in the file (28-byte frame, 9 bytes of event body around the
/// 1 024 payload, padding to 8), so a 256 MiB segment holds ~252 000: the writer rotates every ~0.1–0.3 s here and the rotation
/// (and the maintainer preparing the next segment on the other core) is inside the number.
/// The copy rewrites one mapping that stays resident; the writer moves on to fresh segments.
/// <see cref="MemcpyCrc"/> adds the CRC32C the writer computes, to split the gap.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public unsafe class RawThroughputBenchmarks
{
    public const int PayloadBytes = 1024;
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
        _mapping.Prefault();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.Dispose();
        _mapping.Dispose();
        _directory.Dispose();
        GC.KeepAlive(_crc);
    }

    /// <summary>One 1 KiB record through MmapLogWriter.Append.</summary>
    [Benchmark]
    public bool Writer()
    {
        _log.Appended++;
        return _log.Writer.Append(_ticks, MmapLevel.Information, ref _event);
    }

    /// <summary>Buffer.MemoryCopy of the same 1 KiB to the next offset of the mapping (wrapping at its end).</summary>
    [Benchmark(Baseline = true)]
    public void Memcpy()
    {
        byte* destination = NextSlot();
        fixed (byte* source = _source)
        {
            Buffer.MemoryCopy(source, destination, PayloadBytes, PayloadBytes);
        }
    }

    /// <summary>The copy plus CRC32C over the copied bytes: the two byte-proportional costs of a commit.</summary>
    [Benchmark]
    public uint MemcpyCrc()
    {
        byte* destination = NextSlot();
        fixed (byte* source = _source)
        {
            Buffer.MemoryCopy(source, destination, PayloadBytes, PayloadBytes);
        }
        return _crc = Crc32C.Compute(new ReadOnlySpan<byte>(destination, PayloadBytes));
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
