using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
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

/// <summary>A Sinks.Mmap.TestChild process: started with <c>dotnet</c>, killed with SIGKILL.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = new();

    private ChildProcess(Process process, string ackPath, int threads)
    {
        _process = process;
        AckPath = ackPath;
        Threads = threads;
    }

    public string AckPath { get; }
    public int Threads { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output) return _output.ToArray();
        }
    }

    public static string ChildDll => Path.Combine(AppContext.BaseDirectory, "Sinks.Mmap.TestChild.dll");

    /// <summary>
    /// A copy of the test output, beside the test's own files (deleted with them), where any user can
    /// read it: a child run as another user cannot reach the build folder when the checkout lives
    /// under a private directory (mktemp -d makes it 0700).
    /// </summary>
    private static string WorldReadableChildDll(string testFolder)
    {
        if (OperatingSystem.IsWindows()) return ChildDll;
        string folder = Path.Combine(testFolder, "child-bin");
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            foreach (string file in Directory.GetFiles(AppContext.BaseDirectory))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
            }
            const UnixFileMode everyoneReads = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            File.SetUnixFileMode(folder, everyoneReads);
            foreach (string file in Directory.GetFiles(folder)) File.SetUnixFileMode(file, everyoneReads);
        }
        return Path.Combine(folder, "Sinks.Mmap.TestChild.dll");
    }

    private static string DotnetHost
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
            string? self = Environment.ProcessPath;
            if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
            return "dotnet";
        }
    }

    /// <summary>Starts the child; <paramref name="mode"/> is log, paced or write (with <paramref name="count"/> events a thread).</summary>
    public static ChildProcess Start(string logPath, int threads, long segmentSize, string mode, string ackPath, int round, long? count = null, string? userName = null)
    {
        Assert.True(File.Exists(ChildDll), $"the test child is missing: {ChildDll}");
        // A fresh ack file each start: zero means "nothing acknowledged".
        File.WriteAllBytes(ackPath, new byte[4096]);
        var info = new ProcessStartInfo(DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (userName is not null && !OperatingSystem.IsWindows())
        {
            // setuid/setgid in the child before exec; the ack file must be writable for that user.
            info.UserName = userName;
            info.Environment["HOME"] = Path.GetTempPath();
            File.SetUnixFileMode(ackPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        }
        info.ArgumentList.Add(userName is null ? ChildDll : WorldReadableChildDll(Path.GetDirectoryName(Path.GetFullPath(ackPath))!));
        info.ArgumentList.Add(logPath);
        info.ArgumentList.Add(threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add(segmentSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add(mode);
        info.ArgumentList.Add(ackPath);
        info.ArgumentList.Add(round.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (count is { } c) info.ArgumentList.Add(c.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process, ackPath, threads);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (child._output) child._output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (child._output) child._output.Add("stderr: " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public AckSnapshot ReadAck()
    {
        byte[] bytes = new byte[4096];
        using (var file = new FileStream(AckPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            int read = 0;
            while (read < bytes.Length)
            {
                int n = file.Read(bytes, read, bytes.Length - read);
                if (n <= 0) break;
                read += n;
            }
        }
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
    public AckSnapshot WaitFor(Func<AckSnapshot, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            AckSnapshot ack = ReadAck();
            if (condition(ack)) return ack;
            if (_process.HasExited)
            {
                Assert.Fail($"the child exited (code {_process.ExitCode}) while waiting for {what}; output:\n{string.Join("\n", Output)}");
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for {what}; ack {ack}; output:\n{string.Join("\n", Output)}");
            }
            Thread.Sleep(1);
        }
    }

    /// <summary>SIGKILL (Process.Kill on Linux), then waits for the process to be gone; returns the acks as they were.</summary>
    public AckSnapshot KillNow()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(); } catch (InvalidOperationException) { }
        }
        Assert.True(_process.WaitForExit(20_000), "the killed child did not exit");
        return ReadAck();
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit((int)timeout.TotalMilliseconds);

    public int ExitCode => _process.ExitCode;

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(20_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
