using System;
using System.Collections.Generic;
using Sinks.Mmap.Writing;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

public class RetiredSegmentsTests
{
    [Fact]
    public void Retiring_a_segment_after_the_maintainer_looked_the_retired_ones_over_allocates_nothing()
    {
        // A ConcurrentQueue froze its block when looked over, and the rotating logging thread's next
        // Enqueue allocated a new one (20-47 us of the rotating call).
        using var log = new TestLog();
        using var writer = new MmapLogWriter(log.Options());
        ActiveSegment segment = writer.Rotation.Current!;
        var retired = new RetiredSegments();
        var paths = new List<string>();
        retired.Enqueue(segment);
        for (int i = 0; i < 100; i++)
        {
            // What retention and lane recovery do on the maintainer between rotations.
            retired.AddPathsTo(paths);
            Assert.Equal(segment.Number, retired.OldestNumber(long.MaxValue));
            paths.Clear();
            long before = GC.GetAllocatedBytesForCurrentThread();
            retired.Enqueue(segment);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(2, retired.Count);
            Assert.True(retired.TryDequeue(out ActiveSegment? taken));
            Assert.Same(segment, taken);
        }
    }

    [Fact]
    public void Retired_segments_are_taken_oldest_first_and_their_lowest_number_is_known()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        using var writer = new MmapLogWriter(options);
        ActiveSegment first = writer.Rotation.Current!;
        for (short i = 0; i < 200; i++)
        {
            var e = new FixedSizeEvent(i);
            Assert.True(writer.Append(TestSupport.Ticks(2026, 12, 6, 10) + i, MmapLevel.Information, ref e));
        }
        ActiveSegment second = writer.Rotation.Current!;
        Assert.NotSame(first, second);
        var retired = new RetiredSegments();
        Assert.Equal(-1, retired.OldestNumber(-1));
        retired.Enqueue(second);
        retired.Enqueue(first);
        Assert.Equal(first.Number, retired.OldestNumber(long.MaxValue));
        var paths = new List<string>();
        retired.AddPathsTo(paths);
        Assert.Equal(new[] { second.Storage.Path, first.Storage.Path }, paths);
        Assert.True(retired.TryDequeue(out ActiveSegment? taken));
        Assert.Same(second, taken);
        Assert.True(retired.TryDequeue(out taken));
        Assert.Same(first, taken);
        Assert.False(retired.TryDequeue(out _));
    }
}
