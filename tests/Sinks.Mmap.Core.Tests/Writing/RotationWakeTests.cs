using Sinks.Mmap.Writing;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

/// <summary>
/// The logging thread that rotates wakes the maintainer only when the maintainer would otherwise start
/// the next standby too late: a wake-up costs the rotating call tens of microseconds.
/// </summary>
public class RotationWakeTests
{
    [Fact]
    public void Segments_that_last_seconds_never_wake_the_maintainer() =>
        Assert.False(RotationWake.IsNeeded(lifetimeMs: 1500, afterAnotherRotation: false, lastPrepareMs: 900));

    [Fact]
    public void The_first_quick_rotation_wakes_the_maintainer_which_may_be_in_a_long_idle_wait() =>
        Assert.True(RotationWake.IsNeeded(lifetimeMs: 300, afterAnotherRotation: false, lastPrepareMs: 1));

    [Fact]
    public void A_segment_filled_before_the_maintainer_can_have_seen_the_last_rotation_wakes_it() =>
        Assert.True(RotationWake.IsNeeded(lifetimeMs: 40, afterAnotherRotation: true, lastPrepareMs: 0));

    [Fact]
    public void A_segment_that_outlives_a_poll_and_two_preparations_does_not_wake_a_polling_maintainer() =>
        Assert.False(RotationWake.IsNeeded(lifetimeMs: 400, afterAnotherRotation: true, lastPrepareMs: 150));

    [Fact]
    public void Preparation_that_takes_about_half_a_segments_life_wakes_the_maintainer() =>
        Assert.True(RotationWake.IsNeeded(lifetimeMs: 400, afterAnotherRotation: true, lastPrepareMs: 200));
}
