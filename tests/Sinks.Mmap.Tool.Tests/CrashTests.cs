using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>A log left by a writer process killed with SIGKILL, before any writer recovered it.</summary>
[Collection("processes")]
public sealed class CrashTests
{
    private static string ChildDll => DotnetChild.BesideTests("Sinks.Mmap.TestChild.dll");

    [Fact]
    public void A_log_left_by_a_killed_writer_verifies_as_readable_and_cat_prints_every_acknowledged_event()
    {
        using var folder = new TempFolder();
        string ack = folder.File("ack");
        using DotnetChild child = DotnetChild.Start(ChildDll, new[] { folder.LogPath, "2", "8388608", "log", ack, "1" });
        var clock = Stopwatch.StartNew();
        while (ReadAck(ack, 64) < 5000 || ReadAck(ack, 72) < 5000)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the writer did not log");
            Thread.Sleep(20);
        }
        child.Kill(); // SIGKILL
        long acked0 = ReadAck(ack, 64), acked1 = ReadAck(ack, 72);
        Assert.Contains(folder.Segments(), s => new FileInfo(s).Length == 8388608); // left at full capacity, unsealed

        ChildResult verify = ToolRun.Run("verify", folder.LogPath, "--json");
        ChildResult cat = ToolRun.Run("cat", folder.LogPath, "--format", "json");

        Assert.Equal(0, verify.ExitCode);
        Assert.Contains(JsonDocument.Parse(verify.Stdout).RootElement.GetProperty("segments").EnumerateArray(),
            s => !s.GetProperty("sealed").GetBoolean());
        Assert.Equal(0, cat.ExitCode);
        long[] max = new long[2];
        long previous = 0;
        foreach (string line in cat.Lines)
        {
            JsonElement root = JsonDocument.Parse(line).RootElement;
            long sequence = root.GetProperty("sequence").GetInt64();
            Assert.True(sequence > previous);
            previous = sequence;
            JsonElement p = root.GetProperty("properties");
            int thread = p.GetProperty("Thread").GetInt32();
            long counter = p.GetProperty("Counter").GetInt64();
            Assert.Equal(max[thread] + 1, counter); // no event lost or repeated before the crash point
            max[thread] = counter;
        }
        Assert.True(max[0] >= acked0 && max[1] >= acked1, $"printed up to {max[0]}/{max[1]}, acknowledged {acked0}/{acked1}");
    }

    private static long ReadAck(string path, int offset)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.Length < offset + 8) return 0;
            var buffer = new byte[8];
            stream.Position = offset;
            stream.ReadExactly(buffer);
            return BitConverter.ToInt64(buffer);
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }
}
