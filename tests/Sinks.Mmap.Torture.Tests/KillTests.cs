using System.Collections.Generic;
using System.IO;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Torture.Tests;

/// <summary>Scenario 1: SIGKILL at random, during rotation, during retention deletes and during start-up recovery.</summary>
public class KillTests
{
    // 4 scenarios x 2 adapters x 7 rounds = 56 kills in CI; `soak --rounds N` runs the same rounds without a bound.
    private const int Rounds = 7;
    private readonly ITestOutputHelper _output;

    public KillTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, string> Scenarios()
    {
        var data = new TheoryData<string, string>();
        foreach (string scenario in KillScenario.Names)
        {
            data.Add(scenario, Roles.MmapSerilog);
            data.Add(scenario, Roles.MmapNLog);
        }
        return data;
    }

    /// <summary>A seed that is the same in every run (string.GetHashCode is not).</summary>
    private static int Seed(string text)
    {
        int seed = 20261121;
        foreach (char c in text) seed = seed * 31 + c;
        return seed;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Every_event_acknowledged_before_a_SIGKILL_is_read_back_exactly_once_and_the_next_start_continues_the_sequence(string scenario, string role)
    {
        using var folder = new TempFolder();
        var series = new KillSeries(KillScenario.Create(scenario, role), folder.Path, new System.Random(Seed(scenario + role)));
        var results = new List<RoundResult>();
        for (int i = 0; i < (scenario == "recovery" ? Rounds + 1 : Rounds); i++)
        {
            RoundResult result = series.RunRound();
            _output.WriteLine($"round {result.Round}: {result.Threads} thread(s), {result.AckedThisRound} acknowledged, {result.Segments} segment(s)" +
                (result.AimedAtStartup ? $", killed during start-up, died while opening: {result.DiedWhileOpening}, before recovery finished: {result.RecoveryInterrupted}" : "") + $", verdict {result.Verdict}");
            result.Verdict.ThrowIfFailed($"{scenario}/{role} round {result.Round}");
            results.Add(result);
        }
        switch (scenario)
        {
            case "rotation":
                Assert.True(results[^1].Segments > Rounds, $"tiny segments rotate often: {results[^1].Segments} segment(s) after {Rounds} rounds");
                break;
            case "retention":
                // The 3 kept, the one prepared ahead, and one a kill may leave between sealing and deleting.
                Assert.All(results, r => Assert.True(r.Segments <= 5, $"round {r.Round}: {r.Segments} segments with 3 retained"));
                Assert.True(Directory.GetFiles(folder.Path, "app-*.mlog").Length <= 5);
                break;
            case "recovery":
                Assert.Contains(results, r => r.AimedAtStartup && r.DiedWhileOpening);
                break;
        }
    }
}
