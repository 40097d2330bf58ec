using System;
using System.Runtime.InteropServices;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// The calling thread's context switches so far (getrusage(RUSAGE_THREAD), Linux): involuntary ones are
/// the scheduler taking the core away (another thread was due), voluntary ones the thread waiting (a lock,
/// a futex, a page read from disk). Read around a call, they say whether the call lost its core.
/// </summary>
internal static unsafe class ThreadSwitches
{
    private const int RusageThread = 1;
    // struct rusage on 64-bit Linux: two timevals (32 bytes), then 14 longs; ru_nvcsw and ru_nivcsw are the last two.
    private const int RusageBytes = 144;
    private const int VoluntaryOffset = 128;
    private const int InvoluntaryOffset = 136;

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, byte* usage);

    public static bool IsAvailable => OperatingSystem.IsLinux();

    /// <summary>The calling thread's (voluntary, involuntary) switches; (0, 0) where unavailable.</summary>
    public static (long Voluntary, long Involuntary) Read()
    {
        if (!IsAvailable) return (0, 0);
        byte* usage = stackalloc byte[RusageBytes];
        if (getrusage(RusageThread, usage) != 0) return (0, 0);
        return (*(long*)(usage + VoluntaryOffset), *(long*)(usage + InvoluntaryOffset));
    }
}
