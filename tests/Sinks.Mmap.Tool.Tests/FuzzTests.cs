using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>
/// Hostile input: mutants of real segments (truncation, bit flips, zeroed 4 KiB pages, length words
/// claiming gigabytes, files of random bytes), from a fixed seed. Every command must finish in
/// bounded time, exit 0, 1 or 2, write no stack trace, and never print a damaged record as an event.
/// Runs with the other tests that start processes (it SIGKILLs a writer for the unsealed case).
/// </summary>
[Collection("processes")]
public sealed class FuzzTests
{
    private const int Seed = 20261121;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);

    public static IEnumerable<object[]> Cases()
    {
        foreach (object[] producer in LogProducer.All())
        {
            for (int kind = 0; kind < Mutator.Kinds; kind++) yield return new[] { producer[0], kind };
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    internal async Task Cat_verify_and_stats_survive_mutated_segments_and_never_print_a_damaged_event(LogProducer producer, int kind)
    {
        using var original = new TempFolder();
        producer.Write(original.LogPath, 1200, segmentSize: 16 * 1024);
        await FuzzAsync(original, kind, new Random(Seed + kind * 1000 + producer.Name.Length), expectedEvents: 1200);
    }

    public static IEnumerable<object[]> Kinds() => Enumerable.Range(0, Mutator.Kinds).Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Mutants_of_a_log_left_unsealed_by_a_killed_writer_are_handled_the_same_way(int kind)
    {
        using var original = new TempFolder();
        CrashedLog.Write(original, segmentSize: 64 * 1024, minimumEvents: 3000);
        await FuzzAsync(original, kind, new Random(Seed - kind), expectedEvents: null);
    }

    private static async Task FuzzAsync(TempFolder original, int kind, Random random, int? expectedEvents)
    {
        var valid = new HashSet<string>(ToolRun.Run("cat", original.LogPath, "--format", "clef").Lines, StringComparer.Ordinal);
        if (expectedEvents is { } n) Assert.Equal(n, valid.Count);
        Assert.NotEmpty(valid);

        for (int round = 0; round < 8; round++)
        {
            using var mutant = new TempFolder();
            foreach (string file in original.Segments()) File.Copy(file, Path.Combine(mutant.Path, Path.GetFileName(file)));
            string description = Mutator.Apply(kind, mutant, random);

            ChildResult cat = await RunBounded(description, "cat", mutant.LogPath, "--format", "clef");
            ChildResult verify = await RunBounded(description, "verify", mutant.LogPath);
            ChildResult verifyJson = await RunBounded(description, "verify", mutant.LogPath, "--json");
            ChildResult stats = await RunBounded(description, "stats", mutant.LogPath, "--json");
            ChildResult text = await RunBounded(description, "cat", mutant.LogPath);

            foreach (ChildResult result in new[] { cat, verify, verifyJson, stats, text })
            {
                Assert.True(result.ExitCode is 0 or 1 or 2, $"{description}: exit {result.ExitCode}");
                ToolRun.AssertNoStackTrace(result);
            }
            Assert.True(cat.ExitCode is 0 or 2, $"{description}: cat exit {cat.ExitCode}");
            Assert.Equal(verify.ExitCode, verifyJson.ExitCode);
            foreach (string line in cat.Lines)
            {
                Assert.True(valid.Contains(line), $"{description}: printed an event that was never written: {line}");
            }
        }
    }

    private static async Task<ChildResult> RunBounded(string description, params string[] args)
    {
        using var cts = new CancellationTokenSource();
        Task<ChildResult> run = Task.Run(() => ToolRun.RunAsync(args, cts.Token));
        Task finished = await Task.WhenAny(run, Task.Delay(RunTimeout));
        if (finished != run)
        {
            cts.Cancel();
            throw new TimeoutException($"{description}: mmaplog {string.Join(' ', args)} ran longer than {RunTimeout}");
        }
        return await run;
    }
}

/// <summary>A log written by a Sinks.Mmap.TestChild process and SIGKILLed mid-segment: unsealed, zero-filled after the last record.</summary>
internal static class CrashedLog
{
    public static void Write(TempFolder folder, long segmentSize, long minimumEvents)
    {
        string ack = folder.File("ack");
        using DotnetChild child = DotnetChild.Start(DotnetChild.BesideTests("Sinks.Mmap.TestChild.dll"), new[] { folder.LogPath, "2", segmentSize.ToString(), "paced", ack, "1" });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Acked(ack) < minimumEvents)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the writer did not log");
            Thread.Sleep(10);
        }
        child.Kill();
        File.Delete(ack);
    }

    private static long Acked(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[16];
            if (stream.Length < 80) return 0;
            stream.Position = 64;
            stream.ReadExactly(buffer);
            return BitConverter.ToInt64(buffer, 0) + BitConverter.ToInt64(buffer, 8);
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }
}

/// <summary>Damages a copy of a log in one of several ways.</summary>
internal static class Mutator
{
    public const int Kinds = 8;

    public static string Apply(int kind, TempFolder folder, Random random)
    {
        string[] segments = folder.Segments().OrderBy(p => p, StringComparer.Ordinal).ToArray();
        string target = segments[random.Next(segments.Length)];
        byte[] bytes = File.ReadAllBytes(target);
        string name = Path.GetFileName(target);
        if (bytes.Length == 0)
        {
            // A killed writer can leave an empty file it was just creating: there is nothing to damage.
            return $"{name} is empty (left by the killed writer); kept as it is";
        }
        switch (kind)
        {
            case 0:
            {
                int cut = random.Next(bytes.Length);
                File.WriteAllBytes(target, bytes.AsSpan(0, cut).ToArray());
                return $"{name} truncated to {cut} bytes";
            }
            case 1:
            {
                int flips = 1 + random.Next(8);
                for (int i = 0; i < flips; i++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                File.WriteAllBytes(target, bytes);
                return $"{name}: {flips} bit(s) flipped";
            }
            case 2:
            {
                int page = random.Next((bytes.Length + 4095) / 4096) * 4096;
                Array.Clear(bytes, page, Math.Min(4096, bytes.Length - page));
                File.WriteAllBytes(target, bytes);
                return $"{name}: 4 KiB page at {page} zeroed";
            }
            case 3:
            {
                uint[] lengths = { 0x4000_0000, 0xFFFF_FFFF, 0x0100_0001, 0x7FFF_FFF8, 0x0100_0000 };
                int words = 1 + random.Next(4);
                for (int i = 0; i < words; i++)
                {
                    int offset = 128 + random.Next((bytes.Length - 128) / 8) * 8;
                    BitConverter.TryWriteBytes(bytes.AsSpan(offset), lengths[random.Next(lengths.Length)]);
                }
                File.WriteAllBytes(target, bytes);
                return $"{name}: {words} length word(s) claiming gigabytes";
            }
            case 4:
            {
                byte[] noise = new byte[random.Next(70_000)];
                random.NextBytes(noise);
                File.WriteAllBytes(target, noise);
                return $"{name} replaced by {noise.Length} random bytes";
            }
            case 5:
            {
                // Random bytes behind a plausible header: the magic and version survive, the rest is noise.
                random.NextBytes(bytes.AsSpan(16 + random.Next(bytes.Length - 16)));
                File.WriteAllBytes(target, bytes);
                return $"{name}: noise after the magic";
            }
            case 6:
            {
                int flips = 1 + random.Next(3);
                for (int i = 0; i < flips; i++) bytes[random.Next(128)] ^= (byte)(1 << random.Next(8));
                File.WriteAllBytes(target, bytes);
                return $"{name}: header bit(s) flipped";
            }
            default:
            {
                byte[] noise = new byte[random.Next(1, 40_000)];
                random.NextBytes(noise);
                if (random.Next(2) == 0) "SMMAPLOG"u8.CopyTo(noise);
                string extra = folder.File("app-000099.mlog");
                File.WriteAllBytes(extra, noise);
                return $"extra segment of {noise.Length} random bytes";
            }
        }
    }
}
