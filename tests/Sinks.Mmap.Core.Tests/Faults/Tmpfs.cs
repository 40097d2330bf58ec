using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Faults;

/// <summary>A small tmpfs mounted on a fresh temporary folder; unmounted and deleted on dispose. Needs root on Linux.</summary>
internal sealed class Tmpfs : IDisposable
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    private Tmpfs(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>Null when tmpfs can be mounted here; otherwise why not.</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    /// <summary>Mounts a tmpfs of <paramref name="options"/> (e.g. "size=1m" or "size=1m,ro").</summary>
    public static Tmpfs Mount(string options)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sinks-mmap-tmpfs", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        (int code, string output) = Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", directory);
        if (code != 0)
        {
            TryDeleteDirectory(directory);
            Assert.Fail($"mount -t tmpfs -o {options} failed ({code}): {output}");
        }
        return new Tmpfs(directory);
    }

    public void Dispose()
    {
        // Lazy unmount: a writer that still has a file open cannot keep the test from cleaning up.
        Run("umount", "-l", Directory);
        TryDeleteDirectory(Directory);
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs mounts need Linux";
        if (Environment.UserName != "root") return "mounting tmpfs needs root";
        try
        {
            using Tmpfs probe = Mount("size=64k");
            return null;
        }
        catch (Exception ex)
        {
            return "mounting tmpfs failed: " + ex.Message;
        }
    }

    private static (int, string) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        using Process process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }

    private static void TryDeleteDirectory(string directory)
    {
        try { System.IO.Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A fact that is skipped, with the reason, where tmpfs cannot be mounted (not root, not Linux).</summary>
internal sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.WhyUnavailable is { } why)
        {
            Skip = why;
        }
    }
}

/// <summary>A clock that stands still unless moved.</summary>
internal sealed class FixedTimeProvider : TimeProvider
{
    private DateTimeOffset _now;

    public FixedTimeProvider(DateTimeOffset now) => _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>Waits for a condition, failing with a message after a deadline.</summary>
internal static class Poll
{
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
