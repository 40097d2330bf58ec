using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Crash;

/// <summary>Tests that start Sinks.Mmap.TestChild processes run one at a time: they load both cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChildProcessCollection
{
    public const string Name = "Child processes";
}

/// <summary>What the child's ack file says: its state, pid, and each thread's last acknowledged counter.</summary>
internal sealed record AckSnapshot(long State, long Pid, long Dropped, long[] Acked)
{
    public const long Opening = 1;
    public const long Logging = 2;
    public const long Done = 3;

    public long TotalAcked
    {
        get
        {
            long total = 0;
            foreach (long a in Acked) total += a;
            return total;
        }
    }
}

/// <summary>A Sinks.Mmap.TestChild process (a <see cref="DotnetChild"/>) and its ack file.</summary>
internal sealed class ChildProcess : IDisposable
{
    private const int AckSize = 4096;

    private readonly DotnetChild _child;

    private ChildProcess(DotnetChild child, string ackPath, int threads)
    {
        _child = child;
        AckPath = ackPath;
        Threads = threads;
    }

    public string AckPath { get; }
    public int Threads { get; }
    public int Id => _child.Id;
    public bool HasExited => _child.HasExited;
    public int ExitCode => _child.ExitCode;
    public IReadOnlyList<string> Output => _child.Output;

    public static string ChildDll => DotnetChild.BesideTests("Sinks.Mmap.TestChild.dll");

    /// <summary>Starts the child; <paramref name="mode"/> is log, paced or write (with <paramref name="count"/> events a thread).</summary>
    public static ChildProcess Start(string logPath, int threads, long segmentSize, string mode, string ackPath, int round, long? count = null, string? userName = null)
    {
        // A fresh ack file each start: zero means "nothing acknowledged".
        File.WriteAllBytes(ackPath, new byte[AckSize]);
        string dll = ChildDll;
        if (userName is not null && !OperatingSystem.IsWindows())
        {
            // The child runs as that user: the ack file must be writable for it, the program readable.
            File.SetUnixFileMode(ackPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            dll = DotnetChild.WorldReadableCopy("Sinks.Mmap.TestChild.dll", Path.Combine(Path.GetDirectoryName(Path.GetFullPath(ackPath))!, "child-bin"));
        }
        var args = new List<string>
        {
            logPath,
            threads.ToString(CultureInfo.InvariantCulture),
            segmentSize.ToString(CultureInfo.InvariantCulture),
            mode,
            ackPath,
            round.ToString(CultureInfo.InvariantCulture),
        };
        if (count is { } c) args.Add(c.ToString(CultureInfo.InvariantCulture));
        return new ChildProcess(DotnetChild.Start(dll, args, userName), ackPath, threads);
    }

    /// <summary>Layout: 0 state, 8 pid, 16 dropped, then from 64 each thread's last acknowledged counter.</summary>
    public AckSnapshot ReadAck()
    {
        byte[] bytes = SharedFile.ReadPrefix(AckPath, AckSize);
        var acked = new long[Threads];
        for (int t = 0; t < Threads; t++)
        {
            acked[t] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(64 + t * 8));
        }
        return new AckSnapshot(
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(0)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16)),
            acked);
    }

    /// <summary>Polls the ack file until <paramref name="condition"/> holds; fails after <paramref name="timeout"/>.</summary>
    public AckSnapshot WaitFor(Func<AckSnapshot, bool> condition, TimeSpan timeout, string what) => _child.WaitFor(ReadAck, condition, timeout, what);

    /// <summary>SIGKILL, then waits for the process to be gone; returns the acks as they were.</summary>
    public AckSnapshot KillNow()
    {
        _child.Kill();
        return ReadAck();
    }

    public bool WaitForExit(TimeSpan timeout) => _child.WaitForExit(timeout);

    public void Dispose() => _child.Dispose();
}
