using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Threading;

namespace Sinks.Mmap.Torture;

/// <summary>
/// The child's acknowledgements, in a shared file mapping so that they outlive a SIGKILL: what the
/// child stores is in the page cache at once, and the parent reads it with ordinary reads.
/// Layout (little-endian 64-bit words): 0 state, 8 pid, 16 last counter of thread 0 logged at Error
/// (flushed to disk when the call returned), 24 slowest log call in microseconds, 32 opening
/// timestamp and 40 logging timestamp (Stopwatch ticks, the same clock in every process on Linux),
/// then from 64 each thread's last acknowledged counter.
/// </summary>
internal static class AckFile
{
    public const int Size = 4096;
    public const int MaxThreads = 64;

    public const long Opening = 1;
    public const long Logging = 2;

    private const int StateAt = 0, PidAt = 8, FlushedAt = 16, SlowestAt = 24, OpeningAt = 32, LoggingAt = 40, AckedAt = 64;

    /// <summary>Creates (or empties) the file: all zero means "nothing acknowledged yet".</summary>
    public static void Reset(string path) => File.WriteAllBytes(path, new byte[Size]);

    /// <summary>Forgets the slowest call so far (the parent's side), to time only the calls made from now on.</summary>
    public static void ResetSlowest(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        file.Position = SlowestAt;
        file.Write(new byte[8]);
    }

    public static AckSnapshot Read(string path, int threads)
    {
        byte[] bytes = new byte[Size];
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            file.ReadExactly(bytes);
        }
        long Word(int at) => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
        var acked = new long[threads];
        for (int t = 0; t < threads; t++) acked[t] = Word(AckedAt + t * 8);
        return new AckSnapshot(Word(StateAt), Word(PidAt), Word(FlushedAt), Word(SlowestAt), Word(OpeningAt), Word(LoggingAt), acked);
    }

    /// <summary>The child's side: a mapped view it stores into with plain volatile writes.</summary>
    internal sealed unsafe class Writer : IDisposable
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;
        private readonly long* _words;

        public Writer(string path)
        {
            _file = MemoryMappedFile.CreateFromFile(path, FileMode.OpenOrCreate, null, Size);
            _view = _file.CreateViewAccessor(0, Size);
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _words = (long*)(pointer + _view.PointerOffset);
        }

        public void State(long state, long timestamp)
        {
            Volatile.Write(ref _words[state == Opening ? OpeningAt / 8 : LoggingAt / 8], timestamp);
            Volatile.Write(ref _words[PidAt / 8], Environment.ProcessId);
            Volatile.Write(ref _words[StateAt / 8], state);
        }

        public void Acknowledge(int thread, long counter) => Volatile.Write(ref _words[AckedAt / 8 + thread], counter);

        public void Flushed(long counter) => Volatile.Write(ref _words[FlushedAt / 8], counter);

        public void Slowest(long microseconds)
        {
            // Racy max: a lost update can only hide a call that was not the slowest.
            if (microseconds > Volatile.Read(ref _words[SlowestAt / 8])) Volatile.Write(ref _words[SlowestAt / 8], microseconds);
        }

        public void Dispose()
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file.Dispose();
        }
    }
}

/// <summary>What a child's ack file said when it was read.</summary>
internal sealed record AckSnapshot(long State, long Pid, long Flushed, long SlowestCallMicroseconds, long OpeningTicks, long LoggingTicks, long[] Acked)
{
    public long Total
    {
        get
        {
            long total = 0;
            foreach (long a in Acked) total += a;
            return total;
        }
    }
}
