using System;
using Sinks.Mmap.Storage;
using Sinks.Mmap.Writing;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

/// <summary>
/// The prepared next segment (the standby) is taken by a logging thread and activated a moment
/// later. The maintainer thread must never prepare that number again in between: preparing deletes
/// whatever file has the name, which would be the segment about to be written. That window is a few
/// microseconds wide, so this test holds it open by doing the taking itself, through reflection.
/// </summary>
public class StandbyRaceTests
{
    [Fact]
    public unsafe void A_standby_taken_but_not_yet_activated_is_not_prepared_again_over_its_file()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        using var writer = new MmapLogWriter(options);
        var e = new FixedSizeEvent(1);
        Assert.True(writer.Append(TestSupport.Ticks(2026, 11, 21), MmapLevel.Information, ref e));
        Assert.True(TestSupport.WaitUntil(() => StandbySeam.Get(writer.Rotation) is not null), "the next segment was never prepared");

        // What TakeStandby does: the standby is ours now, and the current segment is still number 1.
        SegmentStorage taken = StandbySeam.Take(writer.Rotation)!;
        Assert.Equal(new SegmentNaming(log.Path_).PathFor(2), taken.Path);
        // Activation starts writing it (the header, then records).
        for (int i = 0; i < 8; i++) taken.Base[256 + i] = 0x5A;

        writer.Rotation.PrepareStandbyIfNeeded();

        byte[] onDisk = TestSupport.ReadShared(taken.Path);
        Assert.Equal(new byte[] { 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A }, onDisk.AsSpan(256, 8).ToArray());
        SegmentStorage? prepared = StandbySeam.Get(writer.Rotation);
        Assert.True(prepared is null || prepared.Path != taken.Path, "segment 2 was prepared a second time");

        // Hand the standby back so the writer shuts down as usual.
        for (int i = 0; i < 8; i++) taken.Base[256 + i] = 0;
        prepared?.Dispose();
        StandbySeam.Set(writer.Rotation, taken);
    }
}
