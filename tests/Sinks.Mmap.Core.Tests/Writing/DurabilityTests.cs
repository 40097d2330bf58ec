using System;
using System.Diagnostics;
using System.Threading;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

public class DurabilityTests
{
    private static void Log(MmapLogWriter writer, MmapLevel level, int count = 1)
    {
        for (int i = 0; i < count; i++)
        {
            var e = new SimpleEvent("Event {Number} {Text} {Elapsed}", i, "x", 1.0);
            Assert.True(writer.Append(DateTime.UtcNow.Ticks, level, ref e));
        }
    }

    [Fact]
    public void By_default_nothing_is_forced_to_disk_below_Fatal()
    {
        using var log = new TestLog();
        using var writer = new MmapLogWriter(log.Options());
        Log(writer, MmapLevel.Error, 100);
        Assert.Equal(0, writer.DiskFlushes);
    }

    [Fact]
    public void A_Fatal_event_is_on_disk_before_Append_returns_by_default()
    {
        using var log = new TestLog();
        using var writer = new MmapLogWriter(log.Options());
        Log(writer, MmapLevel.Information, 10);
        Log(writer, MmapLevel.Fatal);
        Assert.Equal(1, writer.DiskFlushes);
    }

    [Fact]
    public void FlushToDiskLevel_forces_every_event_at_or_above_it()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options();
        options.FlushToDiskLevel = MmapLevel.Warning;
        using var writer = new MmapLogWriter(options);
        Log(writer, MmapLevel.Information, 5);
        Assert.Equal(0, writer.DiskFlushes);
        Log(writer, MmapLevel.Warning, 3);
        Log(writer, MmapLevel.Error, 2);
        Assert.Equal(5, writer.DiskFlushes);
    }

    [Fact]
    public void FlushToDiskLevel_off_never_forces_a_flush()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options();
        options.FlushToDiskLevel = null;
        using var writer = new MmapLogWriter(options);
        Log(writer, MmapLevel.Fatal, 5);
        Assert.Equal(0, writer.DiskFlushes);
    }

    [Fact]
    public void FlushToDiskInterval_flushes_new_bytes_in_the_background()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options();
        options.FlushToDiskLevel = null;
        options.FlushToDiskInterval = TimeSpan.FromMilliseconds(20);
        using var writer = new MmapLogWriter(options);
        Log(writer, MmapLevel.Information);
        var deadline = Stopwatch.StartNew();
        while (writer.DiskFlushes == 0 && deadline.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(5);
        Assert.True(writer.DiskFlushes >= 1, "the background flush ran");
        // A first flush may have run halfway through the first log call (after its strings' Definition
        // records, before its event: the maintainer's first round starts with the writer), and the next
        // interval then flushes the rest. Once a flush has covered everything, the count stops moving.
        long afterFirst = writer.DiskFlushes;
        deadline.Restart();
        do
        {
            afterFirst = writer.DiskFlushes;
            Thread.Sleep(100);
        }
        while (writer.DiskFlushes != afterFirst && deadline.Elapsed < TimeSpan.FromSeconds(10));
        // Nothing new written: the interval finds nothing to flush.
        Thread.Sleep(200);
        Assert.Equal(afterFirst, writer.DiskFlushes);
        Log(writer, MmapLevel.Information);
        deadline.Restart();
        while (writer.DiskFlushes == afterFirst && deadline.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(5);
        Assert.True(writer.DiskFlushes > afterFirst, "new bytes were flushed on the next interval");
    }

    [Fact]
    public void Flush_to_disk_forces_what_was_written_and_Flush_without_it_does_not()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options();
        options.FlushToDiskLevel = null;
        using var writer = new MmapLogWriter(options);
        Log(writer, MmapLevel.Information, 3);
        writer.Flush(toDisk: false);
        Assert.Equal(0, writer.DiskFlushes);
        writer.Flush(toDisk: true);
        Assert.Equal(1, writer.DiskFlushes);
        writer.Flush(toDisk: true);
        Assert.Equal(1, writer.DiskFlushes);
    }
}
