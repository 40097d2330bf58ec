using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace Sinks.Mmap.Torture;

/// <summary>
/// A way to kill: which logger, what segments and retention, and whether some kills aim at start-up.
/// <list type="bullet">
/// <item><c>random</c>: 1 MiB segments, SIGKILL at a random moment while logging.</item>
/// <item><c>rotation</c>: 8 KiB segments, so most kills land while a segment is sealed, closed or prepared.</item>
/// <item><c>retention</c>: 8 KiB segments and 3 kept, so kills land while the oldest segments are deleted.</item>
/// <item><c>recovery</c>: every other child is SIGKILLed a random number of microseconds after it starts
/// opening the log, while start-up recovery repairs the segment the previous kill left.</item>
/// </list>
/// </summary>
internal sealed record KillScenario(string Name, string Role, long SegmentBytes, int? RetainedFiles, bool KillsDuringStartup)
{
    public static readonly IReadOnlyList<string> Names = new[] { "random", "rotation", "retention", "recovery" };

    public static KillScenario Create(string name, string role) => name switch
    {
        "random" => new KillScenario(name, role, 1024 * 1024, null, false),
        "rotation" => new KillScenario(name, role, 8 * 1024, null, false),
        "retention" => new KillScenario(name, role, 8 * 1024, 3, false),
        "recovery" => new KillScenario(name, role, 4 * 1024 * 1024, null, true),
        _ => throw new ArgumentException($"unknown scenario '{name}'; known: {string.Join(", ", Names)}"),
    };
}

/// <summary>One round's outcome: how the child died and what the whole log held afterwards.</summary>
/// <remarks><see cref="RecoveryInterrupted"/>: a segment the previous kill left unsealed was still unsealed after this kill, so recovery had not finished (or not begun).</remarks>
internal sealed record RoundResult(int Round, int Threads, bool AimedAtStartup, bool DiedWhileOpening, bool RecoveryInterrupted, long AckedThisRound, long SlowestCallMicroseconds, Verdict Verdict, int Segments);

/// <summary>
/// Rounds of one scenario on one log: each round starts a child that continues the same log, kills
/// it, and checks every round's acknowledged events, so a later start (and its recovery, itself
/// killed) is checked never to lose or duplicate what earlier rounds left.
/// </summary>
internal sealed class KillSeries
{
    private readonly KillScenario _scenario;
    private readonly string _folder;
    private readonly Random _random;
    private readonly List<RoundAcks> _rounds = new();
    private readonly int _maxKillDelayMilliseconds;
    private long _openingMicroseconds = 20_000;

    public KillSeries(KillScenario scenario, string folder, Random random, int maxKillDelayMilliseconds = 150)
    {
        _scenario = scenario;
        _folder = folder;
        _random = random;
        _maxKillDelayMilliseconds = maxKillDelayMilliseconds;
        Directory.CreateDirectory(folder);
    }

    public string LogPath => Roles.LogPath(_scenario.Role, _folder);

    private HashSet<string> UnsealedSegments()
    {
        var unsealed = new HashSet<string>(StringComparer.Ordinal);
        foreach (SegmentReport s in new MmapLogReader(LogPath).Validate().Segments)
        {
            if (!s.Sealed && s.Records > 0) unsealed.Add(s.Path);
        }
        return unsealed;
    }

    public RoundResult RunRound()
    {
        int round = _rounds.Count;
        int threads = 1 + _random.Next(4);
        // In the recovery scenario every odd round dies during start-up, after an even round left a crashed segment to repair.
        bool aimAtStartup = _scenario.KillsDuringStartup && round % 2 == 1;
        var options = new ChildOptions(_scenario.Role, _folder, Path.Combine(_folder, "acks.bin"))
        {
            Threads = threads,
            Round = round,
            SegmentBytes = _scenario.SegmentBytes,
            RetainedFiles = _scenario.RetainedFiles,
            // Aim anywhere in the opening as last measured, and a little past it.
            KillAfterOpeningMicroseconds = aimAtStartup ? (long)(_random.NextDouble() * _openingMicroseconds * 1.2) : null,
            MaxSeconds = 60,
        };
        HashSet<string> crashed = aimAtStartup ? UnsealedSegments() : new HashSet<string>();
        AckSnapshot ack;
        using (ChildProcess child = ChildProcess.Start(options))
        {
            if (aimAtStartup)
            {
                if (!child.WaitForExit(TimeSpan.FromSeconds(60))) throw new TortureException("a child told to kill itself during start-up did not");
                if (child.ExitCode != 128 + 9) throw new TortureException($"the child exited with {child.ExitCode}, not by SIGKILL; output:\n{string.Join("\n", child.Output)}");
                ack = child.ReadAck();
            }
            else
            {
                AckSnapshot started = child.WaitFor(a => a.Total > 0, TimeSpan.FromSeconds(60), "the first acknowledged event");
                _openingMicroseconds = Math.Max(1000, (long)((started.LoggingTicks - started.OpeningTicks) * 1e6 / Stopwatch.Frequency));
                Thread.Sleep(_random.Next(_maxKillDelayMilliseconds + 1));
                ack = child.Kill();
            }
        }
        _rounds.Add(new RoundAcks(round, ack.Acked));
        Readback log = Readback.FromMmap(LogPath);
        Verdict verdict = Verdict.Check(log, _rounds, retention: _scenario.RetainedFiles is not null);
        bool interrupted = crashed.Overlaps(UnsealedSegments());
        return new RoundResult(round, threads, aimAtStartup, ack.State == AckFile.Opening, interrupted, ack.Total, ack.SlowestCallMicroseconds, verdict, log.Segments);
    }
}
