using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Sinks.Mmap.Compression;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Compression;

/// <summary>
/// <see cref="CompressionPacer"/>: compression waits while the writer logs flat out, goes on when it
/// slows down, and goes on anyway once the uncompressed backlog reaches its cap.
/// </summary>
public class CompressionPacerTests
{
    private const long Segment = 16L << 20;

    /// <summary>A writer whose tail moves <see cref="BytesPerWait"/> each time the pacer waits, on a clock that only waits move.</summary>
    private sealed class SimulatedWriter
    {
        public long NowMs;
        public long Written;
        public long Backlog = 2 * Segment;
        public long BytesPerWait;
        public int Waited;
        public int SlowDownAfter = int.MaxValue;

        public CompressionPacer Pacer() => new(() => Written, () => Backlog, Segment, () => NowMs, (time, cancel) =>
        {
            Waited++;
            NowMs += (long)time.TotalMilliseconds;
            Written += Waited >= SlowDownAfter ? 0 : BytesPerWait;
            return cancel.IsCancellationRequested;
        });

        /// <summary>The writer logs at <paramref name="bytesPerSecond"/> for a look's time, between blocks.</summary>
        public void Log(long bytesPerSecond)
        {
            NowMs += (long)CompressionPacer.Look.TotalMilliseconds;
            Written += bytesPerSecond * (long)CompressionPacer.Look.TotalMilliseconds / 1000;
        }
    }

    [Fact]
    public void A_writer_logging_slowly_never_holds_compression_up()
    {
        var writer = new SimulatedWriter();
        CompressionPacer pacer = writer.Pacer();
        for (int block = 0; block < 100; block++)
        {
            writer.Log(CompressionPacer.BusyBytesPerSecond / 2);
            pacer.BeforeBlock(CancellationToken.None);
        }
        Assert.Equal(0, writer.Waited);
        Assert.Equal(0, pacer.Waits);
    }

    [Fact]
    public void A_writer_logging_flat_out_holds_compression_until_it_slows_down()
    {
        var writer = new SimulatedWriter { BytesPerWait = CompressionPacer.BusyBytesPerSecond, SlowDownAfter = 7 };
        CompressionPacer pacer = writer.Pacer();
        writer.Log(CompressionPacer.BusyBytesPerSecond * 4);
        pacer.BeforeBlock(CancellationToken.None);
        // Busy at 8 MiB per 50 ms for 6 waits; the 7th wait sees the tail stand still.
        Assert.Equal(7, writer.Waited);
        Assert.Equal(7, pacer.Waits);

        writer.Log(0);
        pacer.BeforeBlock(CancellationToken.None);
        Assert.Equal(7, writer.Waited);
    }

    [Fact]
    public void Compression_goes_on_under_a_busy_writer_once_the_backlog_reaches_its_cap()
    {
        var writer = new SimulatedWriter { BytesPerWait = CompressionPacer.BusyBytesPerSecond, Backlog = CompressionPacer.BacklogCapBytes };
        CompressionPacer pacer = writer.Pacer();
        for (int block = 0; block < 10; block++)
        {
            writer.Log(CompressionPacer.BusyBytesPerSecond * 4);
            pacer.BeforeBlock(CancellationToken.None);
        }
        Assert.Equal(0, writer.Waited);
    }

    [Fact]
    public void The_backlog_cap_is_at_least_four_segments()
    {
        var writer = new SimulatedWriter { BytesPerWait = CompressionPacer.BusyBytesPerSecond, Backlog = CompressionPacer.BacklogCapBytes, SlowDownAfter = 3 };
        // 256 MiB of 128 MiB segments is two of them: not yet the cap.
        var pacer = new CompressionPacer(() => writer.Written, () => writer.Backlog, 128L << 20, () => writer.NowMs, (time, cancel) =>
        {
            writer.Waited++;
            writer.NowMs += (long)time.TotalMilliseconds;
            writer.Written += writer.Waited >= 3 ? 0 : writer.BytesPerWait;
            return false;
        });
        writer.Log(CompressionPacer.BusyBytesPerSecond * 4);
        pacer.BeforeBlock(CancellationToken.None);
        Assert.Equal(3, writer.Waited);
    }

    [Fact]
    public void Stopping_the_writer_ends_a_wait_with_a_cancellation()
    {
        var writer = new SimulatedWriter { BytesPerWait = CompressionPacer.BusyBytesPerSecond };
        CompressionPacer pacer = writer.Pacer();
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        writer.Log(CompressionPacer.BusyBytesPerSecond * 4);
        Assert.Throws<OperationCanceledException>(() => pacer.BeforeBlock(stop.Token));
    }

    [Fact]
    public void A_writer_logging_flat_out_has_its_sealed_segments_compressed_once_it_stops()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(1 << 20);
        options.CompressSealedSegments = true;
        options.RetainedFileCountLimit = 40;
        using var writer = new MmapLogWriter(options);
        var watch = Stopwatch.StartNew();
        int logged = 0;
        // Flat out until compression has waited for the writer at least once (a segment was ready while the tail ran).
        while (writer.Rotation.Lifecycle.CompressionWaits == 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"compression never waited for a writer logging flat out ({logged} events)");
            for (int i = 0; i < 1000; i++, logged++)
            {
                var e = new SimpleEvent("Order {Number} for {Text} took {Elapsed} ms", logged, "customer-" + (logged % 37), logged * 0.25);
                Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e));
            }
        }

        // Idle now: every sealed segment is compressed (what stays plain is the segment being written and the one made ahead), and the log reads back whole.
        string[] Sealed() => Array.FindAll(Directory.GetFiles(log.Directory, "app-*.mlog"),
            path => path != writer.CurrentSegmentPath && path != writer.Rotation.Standby?.Path);
        Assert.True(TestSupport.WaitUntil(() => Sealed().Length == 0, TimeSpan.FromSeconds(60)), $"{Sealed().Length} sealed segments left uncompressed");
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }
}
