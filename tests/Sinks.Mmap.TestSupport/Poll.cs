using System;
using Xunit;

namespace Sinks.Mmap.TestSupport;

/// <summary>Waits for a condition: a test fails, or learns it did not hold, after a deadline.</summary>
internal static class Poll
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> (5 s) passes; returns whether it held.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            if (condition()) return true;
            if (DateTime.UtcNow > deadline) return false;
            System.Threading.Thread.Sleep(10);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="timeout"/>.</summary>
    public static void Until(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for {what()}");
            }
            System.Threading.Thread.Sleep(5);
        }
    }
}
