using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;

namespace Sinks.Mmap.Torture;

/// <summary>One kill of one logger: how fast it logged just before, and what the kill cost.</summary>
/// <remarks>
/// Lost splits in two: <see cref="LostAtKill"/>, each thread's acknowledged events after the last one
/// found (what a buffer or queue held when the process died), and <see cref="DroppedBefore"/>, the
/// acknowledged events missing before that (an async queue that discarded on overflow).
/// </remarks>
internal sealed record PeerKill(string Role, double EventsPerSecond, long Acknowledged, long LostAtKill, long DroppedBefore, long Duplicated, long Unexpected)
{
    public long Lost => LostAtKill + DroppedBefore;
}

/// <summary>
/// <c>compare</c>: the same child, the same events, each logger in turn. Per kill: a warm-up, then
/// the acknowledged counters over a fixed window give events/s, then SIGKILL at once, then events
/// lost = acknowledged before the kill minus read back after it. Prints a Markdown table.
/// </summary>
internal static class Compare
{
    public static int Run(CommandLine options, TextWriter output)
    {
        int kills = options.Int("--rounds", 5);
        int threads = options.Int("--threads", 1);
        double seconds = options.Double("--seconds", 1.0);
        string[] roles = options.Get("--roles")?.Split(',') ?? [.. Roles.All];
        string root = options.Get("--folder") ?? Path.Combine(Path.GetTempPath(), "sinks-mmap-compare-" + Guid.NewGuid().ToString("N"));
        var results = new List<PeerKill>();
        try
        {
            // Interleave the loggers, so a burst of load from elsewhere on the machine spreads over all of them.
            for (int k = 0; k < kills; k++)
            {
                foreach (string role in roles)
                {
                    results.Add(KillOnce(role, Path.Combine(root, $"{role}-{k}"), threads, TimeSpan.FromSeconds(seconds)));
                    TempFolder.TryDelete(Path.Combine(root, $"{role}-{k}"));
                }
                Console.Error.WriteLine($"compare: {k + 1}/{kills} kills of each logger");
            }
        }
        finally
        {
            TempFolder.TryDelete(root);
        }
        output.Write(Table(roles, results, kills, threads, seconds));
        return 0;
    }

    public static PeerKill KillOnce(string role, string folder, int threads, TimeSpan window)
    {
        Directory.CreateDirectory(folder);
        var options = new ChildOptions(role, folder, Path.Combine(folder, "acks.bin")) { Threads = threads, SegmentBytes = 64 * 1024 * 1024, MaxSeconds = 60 };
        AckSnapshot ack;
        double rate;
        using (ChildProcess child = ChildProcess.Start(options))
        {
            child.WaitFor(a => a.Total > 0, TimeSpan.FromSeconds(60), "the first acknowledged event");
            Thread.Sleep(250); // JIT and first-touch warm-up, excluded from the rate
            AckSnapshot before = child.ReadAck();
            long start = Stopwatch.GetTimestamp();
            Thread.Sleep(window);
            AckSnapshot after = child.ReadAck();
            rate = (after.Total - before.Total) / Stopwatch.GetElapsedTime(start).TotalSeconds;
            ack = child.Kill();
        }
        Readback log = Readback.From(role, folder);
        Verdict verdict = Verdict.Check(log, new[] { new RoundAcks(0, ack.Acked) });
        long atKill = 0;
        for (int t = 0; t < ack.Acked.Length; t++)
        {
            long last = ack.Acked[t];
            while (last > 0 && !log.Counts.ContainsKey((0, t, last))) last--;
            atKill += ack.Acked[t] - last;
        }
        return new PeerKill(role, rate, verdict.Acknowledged, atKill, verdict.Lost - atKill, verdict.Duplicated, verdict.Unexpected);
    }

    /// <summary>The Markdown report: one row per logger, in the order given.</summary>
    public static string Table(IReadOnlyList<string> roles, IReadOnlyList<PeerKill> results, int kills, int threads, double seconds)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        output.WriteLine($"### Peers: events lost per SIGKILL and events/s ({kills} kills each, {threads} logging thread{(threads == 1 ? "" : "s")}, {seconds:0.##} s measured before each kill)");
        output.WriteLine();
        output.WriteLine(MachineFacts.Describe());
        output.WriteLine();
        output.WriteLine("| logger | events/s (median) | events lost per kill (mean) | lost (worst kill) | of which unwritten at the kill (mean) | of which discarded earlier (mean) | acknowledged per kill (mean) | read twice or garbled |");
        output.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|");
        foreach (string role in roles)
        {
            var rates = new List<double>();
            long lost = 0, worst = 0, acked = 0, bad = 0, atKill = 0, before = 0;
            int n = 0;
            foreach (PeerKill r in results)
            {
                if (r.Role != role) continue;
                n++;
                rates.Add(r.EventsPerSecond);
                lost += r.Lost;
                atKill += r.LostAtKill;
                before += r.DroppedBefore;
                worst = Math.Max(worst, r.Lost);
                acked += r.Acknowledged;
                bad += r.Duplicated + r.Unexpected;
            }
            if (n == 0) continue;
            rates.Sort();
            double median = rates.Count % 2 == 1 ? rates[rates.Count / 2] : (rates[rates.Count / 2 - 1] + rates[rates.Count / 2]) / 2;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Roles.Describe(role)} | {median:N0} | {(double)lost / n:N1} | {worst:N0} | {(double)atKill / n:N1} | {(double)before / n:N1} | {(double)acked / n:N0} | {bad:N0} |"));
        }
        output.WriteLine();
        output.WriteLine("Events lost per kill = events whose log call had returned before the SIGKILL (the child's acknowledged counters) minus those read back from the file afterwards. " +
            "Unwritten at the kill: each thread's acknowledged events after the last one found (what a buffer or queue still held). " +
            "Discarded earlier: acknowledged events missing before that, which a queue dropped on overflow while the process was still running. " +
            "A peer's text file is read line by line; a line cut by the kill does not count. Reproduce with `dotnet run -c Release --project tests/Sinks.Mmap.Torture -- compare`.");
        return output.ToString();
    }
}
