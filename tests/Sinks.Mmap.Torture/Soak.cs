using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;

namespace Sinks.Mmap.Torture;

/// <summary>
/// <c>soak --rounds N</c>: kill rounds spread over every scenario and both adapters, each log
/// checked in full after every kill; prints a Markdown report. A log is started afresh every
/// <c>--rounds-per-log</c> rounds so that checking it stays quick however long the soak runs.
/// </summary>
internal static class Soak
{
    public static int Run(CommandLine options, TextWriter output)
    {
        int rounds = options.Int("--rounds", 200);
        int seed = options.Int("--seed", Environment.TickCount);
        int roundsPerLog = options.Int("--rounds-per-log", 10);
        int maxDelay = options.Int("--max-kill-delay-ms", 150);
        string folder = options.Get("--folder") ?? Path.Combine(Path.GetTempPath(), "sinks-mmap-soak-" + Guid.NewGuid().ToString("N"));
        var random = new Random(seed);

        var combos = new List<SoakLine>();
        foreach (string scenario in KillScenario.Names)
        {
            foreach (string role in new[] { Roles.MmapSerilog, Roles.MmapNLog }) combos.Add(new SoakLine(KillScenario.Create(scenario, role)));
        }
        var clock = Stopwatch.StartNew();
        try
        {
            for (int i = 0; i < rounds; i++)
            {
                SoakLine line = combos[i % combos.Count];
                line.RunRound(folder, random, roundsPerLog, maxDelay);
                if ((i + 1) % 10 == 0) Console.Error.WriteLine($"soak: {i + 1}/{rounds} rounds, {clock.Elapsed.TotalSeconds:0} s");
            }
        }
        finally
        {
            TempFolder.TryDelete(folder);
        }
        Write(output, combos, rounds, seed, clock.Elapsed);
        return combos.TrueForAll(c => c.Failures.Count == 0) ? 0 : 1;
    }

    private static void Write(TextWriter output, List<SoakLine> combos, int rounds, int seed, TimeSpan took)
    {
        output.WriteLine($"### Soak: {rounds} SIGKILL rounds (seed {seed}, {took.TotalMinutes:0.0} min)");
        output.WriteLine();
        output.WriteLine(MachineFacts.Describe());
        output.WriteLine();
        output.WriteLine("| scenario | logger | rounds | killed during start-up | of which before recovery finished | events acknowledged | events lost | read twice | corrupt records accepted | failed checks |");
        output.WriteLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        var total = new SoakLine(null);
        foreach (SoakLine c in combos)
        {
            output.WriteLine(c.Row(c.Scenario!.Name, Roles.Describe(c.Scenario.Role)));
            total.Add(c);
        }
        output.WriteLine(total.Row("**all**", "", bold: true));
        output.WriteLine();
        output.WriteLine("Each round SIGKILLs a child that logs from 1 to 4 threads, then reads the whole log back and checks every acknowledged event of every round on it (exactly once, in order, nothing accepted that was not written). " +
            "\"Killed during start-up\" counts children that died while opening the log (the kill is aimed at a random microsecond of the opening as last measured); " +
            "\"before recovery finished\": the segment the previous kill left was still unsealed afterwards, so the kill came before or during its repair.");
        foreach (SoakLine c in combos)
        {
            foreach (string failure in c.Failures) output.WriteLine($"- FAILED {c.Scenario!.Name} {c.Scenario.Role}: {failure}");
        }
    }

    /// <summary>One scenario and adapter over the soak: its current log and its totals.</summary>
    private sealed class SoakLine
    {
        private KillSeries? _series;
        private int _logs;
        private int _roundsOnLog;
        private long _acknowledged, _lost, _duplicated, _unexpected, _rounds, _diedOpening, _interrupted;
        // The latest verdict of the current log: it covers every round on that log, so it replaces, not adds.
        private long _logLost, _logDuplicated, _logUnexpected;

        public SoakLine(KillScenario? scenario) => Scenario = scenario;

        public KillScenario? Scenario { get; }
        public List<string> Failures { get; } = new();

        public void RunRound(string root, Random random, int roundsPerLog, int maxDelay)
        {
            if (_series is null || _roundsOnLog == roundsPerLog)
            {
                string folder = Path.Combine(root, $"{Scenario!.Name}-{Scenario.Role}-{_logs++}");
                TempFolder.TryDelete(Path.Combine(root, $"{Scenario.Name}-{Scenario.Role}-{_logs - 2}"));
                _series = new KillSeries(Scenario, folder, random, maxDelay);
                _roundsOnLog = 0;
                _lost += _logLost;
                _duplicated += _logDuplicated;
                _unexpected += _logUnexpected;
                _logLost = _logDuplicated = _logUnexpected = 0;
            }
            _roundsOnLog++;
            _rounds++;
            try
            {
                RoundResult result = _series.RunRound();
                _acknowledged += result.AckedThisRound;
                if (result.DiedWhileOpening) _diedOpening++;
                if (result.RecoveryInterrupted) _interrupted++;
                _logLost = result.Verdict.Lost;
                _logDuplicated = result.Verdict.Duplicated;
                _logUnexpected = result.Verdict.Unexpected;
                if (!result.Verdict.Passed) Failures.Add($"round {result.Round}: " + string.Join("; ", result.Verdict.Problems));
            }
            catch (ChildProcessException ex)
            {
                Failures.Add(ex.Message);
                _series = null;
            }
        }

        public void Add(SoakLine other)
        {
            _rounds += other._rounds;
            _diedOpening += other._diedOpening;
            _interrupted += other._interrupted;
            _acknowledged += other._acknowledged;
            _lost += other._lost + other._logLost;
            _duplicated += other._duplicated + other._logDuplicated;
            _unexpected += other._unexpected + other._logUnexpected;
            Failures.AddRange(other.Failures);
        }

        public string Row(string scenario, string role, bool bold = false)
        {
            string B(long v) => bold ? $"**{v.ToString(CultureInfo.InvariantCulture)}**" : v.ToString(CultureInfo.InvariantCulture);
            return $"| {scenario} | {role} | {B(_rounds)} | {B(_diedOpening)} | {B(_interrupted)} | {B(_acknowledged)} | {B(_lost + _logLost)} | {B(_duplicated + _logDuplicated)} | {B(_unexpected + _logUnexpected)} | {B(Failures.Count)} |";
        }
    }
}

/// <summary>The facts about the machine that belong next to any figure measured on it.</summary>
internal static class MachineFacts
{
    public static string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Machine: {Cpu()}, {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, ");
        text.Append(CultureInfo.InvariantCulture, $".NET {Environment.Version}, log folder on {FileSystemOf(Path.GetTempPath())}; load average at the end {LoadAverage()}.");
        return text.ToString();
    }

    private static string Cpu()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string FileSystemOf(string path)
    {
        try
        {
            string best = "", type = "unknown";
            foreach (string line in File.ReadLines("/proc/mounts"))
            {
                string[] parts = line.Split(' ');
                if (parts.Length > 2 && path.StartsWith(parts[1], StringComparison.Ordinal) && parts[1].Length > best.Length)
                {
                    best = parts[1];
                    type = parts[2];
                }
            }
            return type;
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
