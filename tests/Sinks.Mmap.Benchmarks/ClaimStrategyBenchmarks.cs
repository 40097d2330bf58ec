using System;
using System.IO;
using System.Threading;
using BenchmarkDotNet.Attributes;
using Sinks.Mmap.Format;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Benchmarks;

/// <summary>
/// Lock-free claim (one CAS on a 64-bit word packing offset + sequence, as ActiveSegment.TryClaim)
/// against the same reservation under a <c>lock</c> (Monitor), at 1 and 2 threads, over the same
/// memory: claim, write a small record (28-byte frame + 20-byte body = 48 bytes), publish (CRC32C,
/// release-store of the length). Time is per claim: wall time / all claims of both threads.
/// </summary>
/// <remarks>
/// Both claimers wrap to the start of a pre-faulted 256 MiB mapping when it is full, instead of
/// sealing and rotating, so neither pays rotation; the wrap is decided inside the reservation in
/// both, so they do exactly the same work apart from CAS vs Monitor.
/// </remarks>
[Config(typeof(BenchConfig))]
public unsafe class ClaimStrategyBenchmarks
{
    public const int Claims = 100_000;
    private const long MappingBytes = 256L * 1024 * 1024;
    private const int RecordLength = 48;

    private TempDirectory _directory = null!;
    private MappedSegmentStorage _mapping = null!;
    private CasClaimer _cas = null!;
    private LockClaimer _lock = null!;
    private TwoThreads _casPair = null!;
    private TwoThreads _lockPair = null!;
    private long _ticks;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = new TempDirectory("claim");
        string path = Path.Combine(_directory.Path, "claim.bin");
        _mapping = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, MappingBytes), MappingBytes);
        _mapping.Prefault(0, _mapping.Capacity);
        _cas = new CasClaimer(_mapping.Base, (int)MappingBytes);
        _lock = new LockClaimer(_mapping.Base, (int)MappingBytes);
        _ticks = DateTime.UtcNow.Ticks;
        _casPair = new TwoThreads(_ => CasMany(Claims / 2));
        _lockPair = new TwoThreads(_ => LockMany(Claims / 2));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _casPair.Dispose();
        _lockPair.Dispose();
        _mapping.Dispose();
        _directory.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Claims)]
    public void Cas()
    {
        if (Threads == 1) CasMany(Claims);
        else _casPair.Run();
    }

    [Benchmark(OperationsPerInvoke = Claims)]
    public void Lock()
    {
        if (Threads == 1) LockMany(Claims);
        else _lockPair.Run();
    }

    private void CasMany(int count)
    {
        CasClaimer claimer = _cas;
        for (int i = 0; i < count; i++)
        {
            claimer.Claim(RecordLength, out int offset, out long sequence);
            WriteAndPublish(claimer.Base + offset, sequence, i);
        }
    }

    private void LockMany(int count)
    {
        LockClaimer claimer = _lock;
        for (int i = 0; i < count; i++)
        {
            claimer.Claim(RecordLength, out int offset, out long sequence);
            WriteAndPublish(claimer.Base + offset, sequence, i);
        }
    }

    private void WriteAndPublish(byte* record, long sequence, int value)
    {
        RecordFrame.WriteHeader(new Span<byte>(record, RecordLength), sequence, _ticks, RecordKind.Event, 2);
        byte* body = record + FormatConstants.FrameHeaderSize;
        *(long*)body = value;
        *(long*)(body + 8) = sequence;
        *(int*)(body + 16) = 0;
        RecordFrame.Publish(new Span<byte>(record, RecordLength), RecordLength);
    }

    /// <summary>ActiveSegment.TryClaim's CAS loop, wrapping at the end instead of sealing.</summary>
    private sealed class CasClaimer
    {
        // Bits 32..62: records claimed; bits 0..31: next free offset (the ActiveSegment layout).
        private long _state;
        private readonly int _limit;

        public CasClaimer(byte* baseAddress, int capacity)
        {
            Base = baseAddress;
            _limit = capacity - FormatConstants.SealReserve;
            _state = FormatConstants.HeaderSize;
        }

        public byte* Base { get; }

        public void Claim(int alignedLength, out int offset, out long sequence)
        {
            long state = Volatile.Read(ref _state);
            while (true)
            {
                int free = (int)(uint)state;
                long claimed = state >> 32;
                int start = free + alignedLength > _limit ? FormatConstants.HeaderSize : free;
                long next = ((claimed + 1) << 32) | (uint)(start + alignedLength);
                long seen = Interlocked.CompareExchange(ref _state, next, state);
                if (seen == state)
                {
                    offset = start;
                    sequence = claimed + 1;
                    return;
                }
                state = seen;
            }
        }
    }

    /// <summary>The same reservation under a Monitor.</summary>
    private sealed class LockClaimer
    {
        private readonly object _gate = new();
        private readonly int _limit;
        private int _free;
        private long _claimed;

        public LockClaimer(byte* baseAddress, int capacity)
        {
            Base = baseAddress;
            _limit = capacity - FormatConstants.SealReserve;
            _free = FormatConstants.HeaderSize;
        }

        public byte* Base { get; }

        public void Claim(int alignedLength, out int offset, out long sequence)
        {
            lock (_gate)
            {
                int start = _free + alignedLength > _limit ? FormatConstants.HeaderSize : _free;
                _free = start + alignedLength;
                offset = start;
                sequence = ++_claimed;
            }
        }
    }
}
