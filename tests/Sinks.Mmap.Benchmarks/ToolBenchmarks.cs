using System;
using System.Buffers;
using System.IO;
using System.Text.Json;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Sinks.Mmap.Benchmarks;

/// <summary>
/// One run of 1 invocation per iteration (each operation reads the whole 1 M-event log),
/// 1 warmup and 3 measured iterations.
/// </summary>
public sealed class ToolConfig : ManualConfig
{
    public ToolConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("Tool"));
        AddColumn(StatisticColumn.Min, StatisticColumn.Median);
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);
    }
}

/// <summary>
/// mmaplog over a log of 1 000 000 events (the 3-property event of <see cref="AppendBenchmarks"/>,
/// levels cycling, 64 MiB segments), generated once:
/// <list type="bullet">
/// <item><c>cat --format clef</c> to a null writer, against System.Text.Json parsing the same events
/// from a CLEF file (a <see cref="JsonDocument"/> a line, and a bare <see cref="Utf8JsonReader"/> pass);</item>
/// <item><c>verify</c>, against reading the same segment files sequentially (like <c>cat &gt; /dev/null</c>).</item>
/// </list>
/// MB/s: divide the sizes printed at setup by the mean (see README.md).
/// </summary>
[Config(typeof(ToolConfig))]
[MemoryDiagnoser]
public class ToolBenchmarks
{
    public const int Events = 1_000_000;

    private TempDirectory _directory = null!;
    private string _logPath = null!;
    private string _clefPath = null!;
    private string[] _segments = Array.Empty<string>();
    private readonly byte[] _readBuffer = new byte[1 << 20];

    [GlobalSetup]
    public void Setup()
    {
        _directory = new TempDirectory("tool");
        _logPath = Path.Combine(_directory.Path, "app.mlog");
        _clefPath = Path.Combine(_directory.Path, "app.clef");
        var options = new MmapLogOptions { Path = _logPath, SegmentSizeBytes = 64L * 1024 * 1024, RetainedFileCountLimit = null };
        using (var writer = new MmapLogWriter(options))
        {
            long ticks = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc).Ticks;
            for (int i = 0; i < Events; i++)
            {
                var e = new ThreePropertyEvent("Processed {Number} items for {Text} in {Elapsed} ms", i, "customer-" + (i % 100), i * 0.25);
                if (!writer.Append(ticks + i * 10_000L, (MmapLevel)(i % 6), ref e)) throw new InvalidOperationException("dropped");
            }
        }
        int exit = Tool.Program.RunAsync(new[] { "export", _logPath, "--format", "clef", "-o", _clefPath }, TextWriter.Null, Console.Error, CancellationToken.None).GetAwaiter().GetResult();
        if (exit != 0) throw new InvalidOperationException("export failed");
        _segments = new System.Collections.Generic.List<string>(new MmapLogReader(_logPath).SegmentFiles()).ToArray();
        long segmentBytes = 0;
        foreach (string s in _segments) segmentBytes += new FileInfo(s).Length;
        Console.WriteLine($"// [{_directory.Path}] {Events:N0} events: {_segments.Length} segment(s), {segmentBytes:N0} bytes; CLEF {new FileInfo(_clefPath).Length:N0} bytes");
    }

    [GlobalCleanup]
    public void Cleanup() => _directory.Dispose();

    [Benchmark(Baseline = true), BenchmarkCategory("cat")]
    public int CatClef() => Run("cat", _logPath, "--format", "clef");

    [Benchmark, BenchmarkCategory("cat")]
    public long ClefJsonDocumentPerLine()
    {
        long properties = 0;
        using var reader = new StreamReader(_clefPath, System.Text.Encoding.UTF8, false, 1 << 16);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            foreach (JsonProperty _ in doc.RootElement.EnumerateObject()) properties++;
        }
        return properties;
    }

    [Benchmark, BenchmarkCategory("cat")]
    public long ClefUtf8JsonReader()
    {
        // Every token of every line, no materialisation: the floor for any CLEF reader.
        long tokens = 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            using var stream = new FileStream(_clefPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            int filled = 0;
            while (true)
            {
                int read = stream.Read(buffer, filled, buffer.Length - filled);
                filled += read;
                int start = 0;
                int newline;
                while ((newline = Array.IndexOf(buffer, (byte)'\n', start, filled - start)) >= 0)
                {
                    var json = new Utf8JsonReader(buffer.AsSpan(start, newline - start));
                    while (json.Read()) tokens++;
                    start = newline + 1;
                }
                Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
                if (read == 0) break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return tokens;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("verify")]
    public int Verify() => Run("verify", _logPath);

    [Benchmark, BenchmarkCategory("verify")]
    public long SequentialRead()
    {
        long total = 0;
        foreach (string segment in _segments)
        {
            using var stream = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            int read;
            while ((read = stream.Read(_readBuffer, 0, _readBuffer.Length)) > 0) total += read;
        }
        return total;
    }

    private static int Run(params string[] args)
    {
        int exit = Tool.Program.RunAsync(args, TextWriter.Null, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult();
        if (exit != 0) throw new InvalidOperationException($"mmaplog {args[0]} exited {exit}");
        return exit;
    }
}
