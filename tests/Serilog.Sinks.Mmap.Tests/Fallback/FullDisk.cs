using System;
using System.Diagnostics;
using System.IO;

namespace Serilog.Sinks.Mmap.Tests.Fallback;

/// <summary>A real tmpfs of a small size, mounted for one test and unmounted afterwards.</summary>
internal sealed class FullDisk : IDisposable
{
    private FullDisk(string mount) => Mount = mount;

    public string Mount { get; }

    /// <summary>Mounts a tmpfs of <paramref name="size"/> (mount's syntax, e.g. "1m"); null when mounting is not allowed (not root).</summary>
    public static FullDisk? TryMount(string size)
    {
        string mount = Path.Combine(Path.GetTempPath(), "serilog-mmap-fallback-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mount);
        if (!Run("mount", $"-t tmpfs -o size={size} tmpfs {mount}"))
        {
            Directory.Delete(mount);
            return null;
        }
        return new FullDisk(mount);
    }

    public void Dispose()
    {
        Run("umount", Mount);
        try { Directory.Delete(Mount, recursive: true); } catch (IOException) { }
    }

    private static bool Run(string file, string args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
