using System;
using System.Collections.Generic;

namespace Sinks.Mmap.Torture;

/// <summary>What one child run acknowledged: the last counter each thread saw its log call return for.</summary>
internal sealed record RoundAcks(int Round, long[] Acked);

/// <summary>
/// The outcome of comparing a log with what was acknowledged. Lost: acknowledged events not read
/// back. Duplicated: events read more than once. Unexpected: records accepted that were never
/// acknowledged nor in flight (more than one past a thread's last ack), or not numbered events at all.
/// </summary>
internal sealed record Verdict(long Acknowledged, long Found, long Duplicated, long Unexpected, IReadOnlyList<string> Problems)
{
    public long Lost => Acknowledged - Found;

    public override string ToString() =>
        $"acknowledged {Acknowledged}, found {Found}, lost {Lost}, duplicated {Duplicated}, unexpected {Unexpected}" + (Problems.Count > 0 ? "; " + string.Join("; ", Problems) : "");

    public bool Passed => Lost == 0 && Duplicated == 0 && Unexpected == 0 && Problems.Count == 0;

    public void ThrowIfFailed(string context)
    {
        if (Passed) return;
        throw new TortureException($"{context}: {Acknowledged} acknowledged, {Lost} lost, {Duplicated} duplicated, {Unexpected} unexpected; " +
            string.Join("; ", Problems));
    }

    /// <summary>
    /// Checks every round so far. With <paramref name="retention"/> the oldest segments may have been
    /// deleted on purpose: then each thread's events must form an unbroken run from the oldest one kept
    /// to its last acknowledged one.
    /// </summary>
    public static Verdict Check(Readback log, IReadOnlyList<RoundAcks> rounds, bool retention = false)
    {
        var problems = new List<string>(log.Problems);
        long acknowledged = 0, found = 0, duplicated = 0, unexpected = log.Unrecognised;
        var lastAcked = new Dictionary<(int Round, int Thread), long>();
        foreach (RoundAcks r in rounds)
        {
            for (int t = 0; t < r.Acked.Length; t++) lastAcked[(r.Round, t)] = r.Acked[t];
        }
        var lowest = new Dictionary<(int Round, int Thread), long>();
        foreach (var ((round, thread, counter), count) in log.Counts)
        {
            if (count > 1) duplicated += count - 1;
            // One event a thread may be in the log unacknowledged: the kill fell between the call and the ack.
            if (!lastAcked.TryGetValue((round, thread), out long acked) || counter > acked + 1 || counter < 1) unexpected += count;
            lowest[(round, thread)] = Math.Min(lowest.GetValueOrDefault((round, thread), long.MaxValue), counter);
        }
        for (int i = 0; i < rounds.Count; i++)
        {
            RoundAcks r = rounds[i];
            for (int t = 0; t < r.Acked.Length; t++)
            {
                long from = 1;
                if (retention)
                {
                    // Retention deletes the oldest first, so whatever follows a kept event is kept too: a thread's
                    // events must run unbroken from its oldest kept one to its last acknowledged one. A thread with
                    // none left had all of its events in segments deleted before the kill.
                    from = lowest.GetValueOrDefault((r.Round, t), r.Acked[t] + 1);
                }
                long missingFirst = 0, missing = 0;
                for (long c = from; c <= r.Acked[t]; c++)
                {
                    acknowledged++;
                    if (log.Counts.ContainsKey((r.Round, t, c))) found++;
                    else if (missing++ == 0) missingFirst = c;
                }
                if (missing > 0) problems.Add($"round {r.Round} thread {t}: {missing} acknowledged event(s) missing, the first {missingFirst} (acknowledged {from}..{r.Acked[t]})");
            }
        }
        return new Verdict(acknowledged, found, duplicated, unexpected, problems);
    }
}
