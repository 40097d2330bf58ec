using System;
using System.Runtime.InteropServices;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// CPU time, for harnesses that must tell the logging thread's own work from waiting and from the
/// writer's background threads (a shared 2-core machine's wall time is not the code's).
/// </summary>
internal static class CpuClock
{
    private const int ClockThreadCpuTime = 3;
    private const int ClockProcessCpuTime = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    /// <summary>CPU time of the calling thread (user + kernel), in ns; 0 off Linux.</summary>
    public static long ThreadNs() => Read(ClockThreadCpuTime);

    /// <summary>CPU time of every thread of the process (user + kernel), in ns; 0 off Linux.</summary>
    public static long ProcessNs() => Read(ClockProcessCpuTime);

    private static long Read(int clock)
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(clock, out Timespec t) != 0) return 0;
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }
}
