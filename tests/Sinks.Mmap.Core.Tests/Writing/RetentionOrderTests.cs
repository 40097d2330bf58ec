using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using Sinks.Mmap.Storage;
using Sinks.Mmap.TestSupport;
using Sinks.Mmap.Writing;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

/// <summary>
/// Retention runs before the next segment is prepared, not only after: the memory the deleted
/// segments' cached pages free is then what the new segment's pages are made of, instead of memory
/// the system may have to supply afresh.
/// </summary>
public class RetentionOrderTests
{
    private static readonly FieldInfo StandbyField = typeof(SegmentRotation).GetField("_standby", BindingFlags.NonPublic | BindingFlags.Instance)!;

    [Fact]
    public void A_segment_past_the_limits_is_deleted_before_the_next_segment_is_created()
    {
        Assert.NotNull(StandbyField);
        using var log = new TestLog();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        options.RetainedFileTimeLimit = TimeSpan.FromHours(1);
        options.TimeProvider = clock;
        using var writer = new MmapLogWriter(options);
        var naming = new SegmentNaming(log.Path_);
        string first = naming.PathFor(1);

        // Segment 1 filled and sealed; the writer is on 2 and the maintainer has prepared 3.
        var e = new FixedSizeEvent(1);
        for (int i = 0; i < 10_000 && writer.Rotation.Current?.Number == 1; i++)
        {
            Assert.True(writer.Append(clock.GetUtcNow().UtcTicks, MmapLevel.Information, ref e));
        }
        Assert.Equal(2, writer.Rotation.Current?.Number);
        Assert.True(TestSupport.WaitUntil(() => StandbyField.GetValue(writer.Rotation) is SegmentStorage s && s.Path == naming.PathFor(3)), "segment 3 was never prepared");
        // Closed and trimmed by the maintainer: nothing keeps it from retention but its age.
        Assert.True(TestSupport.WaitUntil(() => new FileInfo(first).Length < 4096), "segment 1 was never closed");

        var order = new List<string>();
        using var watcher = new FileSystemWatcher(log.Directory, "*.mlog");
        watcher.Created += (_, a) => { lock (order) order.Add("created " + a.Name); };
        watcher.Deleted += (_, a) => { lock (order) order.Add("deleted " + a.Name); };
        watcher.EnableRaisingEvents = true;

        // Segment 1 is now past the age limit, and nothing has looked yet: no rotation, no seal.
        clock.Now += TimeSpan.FromHours(2);
        var taken = (SegmentStorage)StandbyField.GetValue(writer.Rotation)!;
        StandbyField.SetValue(writer.Rotation, null);
        taken.DeleteIfStillNamed();
        taken.Dispose();
        writer.Rotation.PrepareStandbyIfNeeded();

        string deleted = "deleted " + Path.GetFileName(first);
        string created = "created " + Path.GetFileName(naming.PathFor(4));
        Assert.True(TestSupport.WaitUntil(() => { lock (order) return order.Contains(deleted) && order.Contains(created); }),
            "expected segment 1 deleted and segment 4 created; saw: " + string.Join(", ", order));
        lock (order)
        {
            Assert.True(order.IndexOf(deleted) < order.IndexOf(created), "the new segment was made before the old one went: " + string.Join(", ", order));
        }
    }
}
