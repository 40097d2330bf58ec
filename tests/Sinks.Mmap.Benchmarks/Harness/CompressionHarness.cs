using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using K4os.Compression.LZ4;
using Sinks.Mmap.Benchmarks.Peers;
using ZstdSharp;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// Which codec for sealed segments: real segments of both adapters and both workloads, cut into
/// independently compressed blocks (what keeps a compressed segment seekable), through each
/// candidate codec and level. Prints the compressed size against the segment and against CLEF, and
/// compression and decompression speed on one thread (MB/s of segment bytes).
/// </summary>
internal static class CompressionHarness
{
    private static readonly int[] BlockSizes = { 64 * 1024, 256 * 1024, 1024 * 1024 };

    public static int Run(string[] args)
    {
        int events = (int)HarnessCommand.Option(args, "events", 200_000);
        double seconds = HarnessCommand.Option(args, "seconds", 0.3);
        Console.WriteLine($"// compression: {events:N0} events a workload, each speed timed over at least {seconds} s on one thread, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| Workload | Adapter | Codec | Block | % of segment | % of CLEF | compress MB/s | decompress MB/s |");
        Console.WriteLine("|---|---|---|--:|--:|--:|--:|--:|");
        foreach (PeerWorkload workload in Enum.GetValues<PeerWorkload>())
        {
            using SampleLogs logs = SampleLogs.Write(workload, events);
            long clef = new FileInfo(logs.Clef).Length;
            foreach ((string adapter, string path) in new[] { ("Serilog", logs.SerilogLog), ("NLog", logs.NLogLog) })
            {
                List<byte[]> segments = new();
                foreach (string segment in SampleLogs.Segments(path))
                {
                    segments.Add(File.ReadAllBytes(segment));
                }
                foreach (Codec codec in Codecs())
                {
                    foreach (int block in BlockSizes)
                    {
                        Measure(workload, adapter, codec, block, segments, clef, seconds);
                    }
                }
            }
        }
        Console.WriteLine();
        return 0;
    }

    private static void Measure(PeerWorkload workload, string adapter, Codec codec, int blockSize, List<byte[]> segments, long clef, double seconds)
    {
        var blocks = new List<ArraySegment<byte>>();
        long raw = 0;
        foreach (byte[] segment in segments)
        {
            for (int offset = 0; offset < segment.Length; offset += blockSize)
            {
                int length = Math.Min(blockSize, segment.Length - offset);
                blocks.Add(new ArraySegment<byte>(segment, offset, length));
                raw += length;
            }
        }
        var compressed = new byte[blocks.Count][];
        var lengths = new int[blocks.Count];
        long total = 0;
        byte[] scratch = new byte[codec.Bound(blockSize)];
        for (int i = 0; i < blocks.Count; i++)
        {
            lengths[i] = codec.Compress(blocks[i], scratch);
            compressed[i] = scratch.AsSpan(0, lengths[i]).ToArray();
            total += lengths[i];
        }
        byte[] output = new byte[blockSize];
        for (int i = 0; i < blocks.Count; i++)
        {
            int n = codec.Decompress(compressed[i], output);
            if (n != blocks[i].Count || !output.AsSpan(0, n).SequenceEqual(blocks[i]))
            {
                throw new InvalidOperationException($"{codec.Name}: block {i} did not round-trip");
            }
        }
        double compressMbs = Speed(raw, seconds, () =>
        {
            for (int i = 0; i < blocks.Count; i++) codec.Compress(blocks[i], scratch);
        });
        double decompressMbs = Speed(raw, seconds, () =>
        {
            for (int i = 0; i < blocks.Count; i++) codec.Decompress(compressed[i], output);
        });
        Console.WriteLine($"| {workload} | {adapter} | {codec.Name} | {blockSize / 1024} KiB | {100.0 * total / raw:0.0} | {100.0 * total / clef:0.0} | {compressMbs:0} | {decompressMbs:0} |");
    }

    private static double Speed(long bytesPerPass, double seconds, Action pass)
    {
        pass();
        var watch = Stopwatch.StartNew();
        long passes = 0;
        do
        {
            pass();
            passes++;
        }
        while (watch.Elapsed.TotalSeconds < seconds);
        return bytesPerPass * passes / watch.Elapsed.TotalSeconds / 1e6;
    }

    private static IEnumerable<Codec> Codecs()
    {
        yield return Lz4("LZ4 fast", LZ4Level.L00_FAST);
        yield return Lz4("LZ4 HC 9", LZ4Level.L09_HC);
        foreach (int level in new[] { 1, 3, 9, 19 })
        {
            var compressor = new Compressor(level);
            var decompressor = new Decompressor();
            yield return new Codec($"zstd {level}", Compressor.GetCompressBound,
                (source, target) => compressor.Wrap(source, target),
                (source, target) => decompressor.Unwrap(source, target));
        }
        foreach (int quality in new[] { 1, 4, 6, 9 })
        {
            yield return new Codec($"Brotli {quality}", BrotliEncoder.GetMaxCompressedLength,
                (source, target) => BrotliEncoder.TryCompress(source, target, out int written, quality, 22) ? written : throw new InvalidOperationException("brotli"),
                (source, target) => BrotliDecoder.TryDecompress(source, target, out int written) ? written : throw new InvalidOperationException("brotli"));
        }
        foreach (CompressionLevel level in new[] { CompressionLevel.Fastest, CompressionLevel.Optimal })
        {
            yield return new Codec($"zlib {level}", n => n + n / 1000 + 64 * 1024,
                (source, target) =>
                {
                    var stream = new MemoryStream();
                    using (var zlib = new ZLibStream(stream, level, leaveOpen: true)) zlib.Write(source);
                    stream.GetBuffer().AsSpan(0, (int)stream.Length).CopyTo(target);
                    return (int)stream.Length;
                },
                (source, target) =>
                {
                    using var zlib = new ZLibStream(new MemoryStream(source.ToArray()), CompressionMode.Decompress);
                    int total = 0, read;
                    while ((read = zlib.Read(target[total..])) > 0) total += read;
                    return total;
                });
        }
    }

    private static Codec Lz4(string name, LZ4Level level) => new(name, LZ4Codec.MaximumOutputSize,
        (source, target) => LZ4Codec.Encode(source, target, level),
        (source, target) => LZ4Codec.Decode(source, target));

    private delegate int Transform(ReadOnlySpan<byte> source, Span<byte> target);

    private sealed record Codec(string Name, Func<int, int> Bound, Transform Compress, Transform Decompress);
}
