namespace Sinks.Mmap.Writing;

/// <summary>
/// Whether the logging thread that has just rotated wakes the maintainer to prepare the next standby.
/// A wake-up cost the rotating call 30–145 µs on a 2-vCPU VM (figures in DESIGN.md, *Keeping the
/// rotation off the logging thread*), so it is made only when the maintainer would otherwise start the
/// next standby too late.
/// </summary>
internal static class RotationWake
{
    // Segments that last longer than this are prepared for by the maintainer's own rounds.
    private const long QuickRotationMilliseconds = 1000;

    /// <param name="lifetimeMs">How long the segment just sealed was written; the next may fill as fast.</param>
    /// <param name="afterAnotherRotation">Whether an earlier rotation put the maintainer on its busy schedule.</param>
    /// <param name="lastPrepareMs">How long the maintainer took to prepare its last standby.</param>
    public static bool IsNeeded(long lifetimeMs, bool afterAnotherRotation, long lastPrepareMs)
    {
        if (lifetimeMs > QuickRotationMilliseconds)
        {
            // Segments last seconds: the maintainer, polling or waking within its idle timeout, has long
            // prepared the next one before this one fills.
            return false;
        }
        if (!afterAnotherRotation)
        {
            // The maintainer may be in a long idle wait.
            return true;
        }
        // Since the earlier rotation the maintainer has polled every BusyPollMilliseconds (once it saw that
        // rotation, within one writing-time wait): it starts the next standby within a poll of now. Woken,
        // unless preparing leaves the next segment's life (taken to be this one's) a margin of a whole
        // preparation more.
        return lifetimeMs < SegmentMaintainer.WritingPollMilliseconds + SegmentMaintainer.BusyPollMilliseconds
            || lifetimeMs < SegmentMaintainer.BusyPollMilliseconds + 2 * lastPrepareMs;
    }
}
