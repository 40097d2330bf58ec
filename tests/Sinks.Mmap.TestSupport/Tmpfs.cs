using System;
using System.IO;
using Xunit;

namespace Sinks.Mmap.TestSupport;

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
        (int code, string output) = Command.Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", directory);
        if (code != 0)
        {
            TryDeleteDirectory(directory);
            Assert.Fail($"mount -t tmpfs -o {options} failed ({code}): {output}");
        }
        return new Tmpfs(directory);
    }

    /// <summary>Mounts a tmpfs of <paramref name="options"/>, or returns null where mounting is not allowed (not root, not Linux).</summary>
    public static Tmpfs? TryMount(string options)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sinks-mmap-tmpfs", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        if (Command.Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", directory).Code != 0)
        {
            TryDeleteDirectory(directory);
            return null;
        }
        return new Tmpfs(directory);
    }

    public void Dispose()
    {
        // Lazy unmount: a writer that still has a file open cannot keep the test from cleaning up.
        Command.Run("umount", "-l", Directory);
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

/// <summary>A theory that is skipped, with the reason, where tmpfs cannot be mounted (not root, not Linux).</summary>
internal sealed class TmpfsTheoryAttribute : TheoryAttribute
{
    public TmpfsTheoryAttribute()
    {
        if (Tmpfs.WhyUnavailable is { } why) Skip = why;
    }
}
