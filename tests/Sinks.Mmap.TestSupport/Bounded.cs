using System;
using Xunit;

namespace Sinks.Mmap.TestSupport;

/// <summary>Runs code that might hang on another thread, so a hang fails the test instead of stalling the run.</summary>
internal static class Bounded
{
    public static void Run(Action action, TimeSpan timeout, string what)
    {
        Exception? failure = null;
        var thread = new System.Threading.Thread(() =>
        {
            try { action(); }
            catch (Exception ex) { failure = ex; }
        }) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(timeout), what);
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }
}
