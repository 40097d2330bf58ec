using System;
using System.IO;
using Microsoft.Win32.SafeHandles;

namespace Sinks.Mmap.Benchmarks.Peers;

/// <summary>
/// The page faults the calling thread has taken so far (minor + major, from
/// <c>/proc/thread-self/stat</c>), read without allocating: the handle and buffer are opened once
/// per thread, so reading inside a measured invocation adds nothing to MemoryDiagnoser's count.
/// </summary>
/// <remarks>
/// Page faults do not depend on how busy the machine is, unlike wall time: a sink whose logging
/// thread faults on its segment pages shows it here at once, on a quiet machine or a shared one.
/// </remarks>
internal sealed class ThreadFaults : IDisposable
{
    private readonly SafeFileHandle? _stat;
    private readonly byte[] _buffer = new byte[1024];

    /// <summary>Opens the calling thread's stat file (the counter is per thread: call on the thread that logs).</summary>
    public ThreadFaults()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _stat = File.OpenHandle("/proc/thread-self/stat", FileMode.Open, FileAccess.Read);
            }
            catch (IOException)
            {
                _stat = null;
            }
        }
    }

    /// <summary>Minor + major faults of the thread that opened this; 0 where unavailable.</summary>
    public long Read()
    {
        if (_stat is null) return 0;
        int n = RandomAccess.Read(_stat, _buffer, 0);
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        int i = Array.LastIndexOf(_buffer, (byte)')', n - 1);
        if (i < 0) return 0;
        // After ')': state(3) ppid(4) pgrp(5) session(6) tty(7) tpgid(8) flags(9) minflt(10) cminflt(11) majflt(12).
        long minor = 0, major = 0;
        int field = 2;
        long value = 0;
        for (i++; i < n && field <= 12; i++)
        {
            byte b = _buffer[i];
            if (b == (byte)' ')
            {
                if (field == 10) minor = value;
                if (field == 12) major = value;
                field++;
                value = 0;
            }
            else if (b >= (byte)'0' && b <= (byte)'9')
            {
                value = value * 10 + (b - '0');
            }
        }
        return minor + major;
    }

    public void Dispose() => _stat?.Dispose();
}
