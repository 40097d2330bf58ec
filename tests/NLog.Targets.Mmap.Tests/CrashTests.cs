using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Sinks.Mmap;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

public class CrashTests
{
    [Fact]
    public void Every_event_acknowledged_before_a_SIGKILL_is_read_back()
    {
        using var dir = new TempLogDir();
        string child = Path.Combine(AppContext.BaseDirectory, "NLog.Targets.Mmap.TestChild.dll");
        Assert.True(File.Exists(child), $"{child} should be copied next to the tests");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(child);
        start.ArgumentList.Add(dir.LogPath);
        start.ArgumentList.Add((256 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));

        long lastAck = -1;
        using (var process = Process.Start(start)!)
        {
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                string? line;
                while ((line = process.StandardOutput.ReadLine()) is not null)
                {
                    if (line.StartsWith("ACK ", StringComparison.Ordinal))
                    {
                        lastAck = long.Parse(line.AsSpan(4), provider: System.Globalization.CultureInfo.InvariantCulture);
                    }
                    if (lastAck >= 5000 || DateTime.UtcNow > deadline)
                    {
                        break;
                    }
                }
                // SIGKILL: no finalisers, no shutdown, no flush.
                process.Kill();
                Assert.True(process.WaitForExit(10_000));
                // Lines already in the pipe were acknowledged before the kill too.
                while ((line = process.StandardOutput.ReadLine()) is not null)
                {
                    if (line.StartsWith("ACK ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(4), out long ack))
                    {
                        lastAck = Math.Max(lastAck, ack);
                    }
                }
                Assert.True(lastAck >= 0, "the child acknowledged events: " + process.StandardError.ReadToEnd());
            }
            finally
            {
                if (!process.HasExited) process.Kill();
            }
        }

        var reader = new MmapLogReader(dir.LogPath) { HoleTimeout = TimeSpan.FromMilliseconds(200) };
        long[] indexes = reader.ReadEvents()
            .Select(e => e.TryGetProperty("Index", out LogValue v) ? Convert.ToInt64(((LogScalar)v).Value, System.Globalization.CultureInfo.InvariantCulture) : -1)
            .ToArray();
        Assert.True(indexes.Length >= lastAck + 1, $"read {indexes.Length} events, acknowledged {lastAck + 1}");
        for (long i = 0; i <= lastAck; i++)
        {
            Assert.Equal(i, indexes[i]);
        }
        ValidationReport report = new MmapLogReader(dir.LogPath).Validate();
        Assert.True(report.Segments.Count >= 2, "the log rolled over at least once");
        Assert.All(report.Segments, s => Assert.Empty(s.CorruptRanges));
        Assert.False(report.Segments[^1].Sealed);
    }
}
