using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Torture.Tests;

/// <summary>The two commands the README documents, run small: what they print is what goes into docs/RELIABILITY.md.</summary>
public class CommandTests
{
    private readonly ITestOutputHelper _output;

    public CommandTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Compare_kills_every_logger_and_tables_them_and_the_mmap_loggers_lose_nothing_while_every_peer_file_parses()
    {
        using var folder = new TempFolder();
        var results = new List<PeerKill>();
        foreach (string role in Roles.All)
        {
            PeerKill kill = Compare.KillOnce(role, Path.Combine(folder.Path, role), threads: 2, TimeSpan.FromMilliseconds(300));
            _output.WriteLine(kill.ToString());
            results.Add(kill);
            Assert.True(kill.Acknowledged > 0, $"{role} logged: {kill}");
            // Peers may lose events (that is what the table shows), but never duplicate or garble what they keep.
            Assert.True(kill.Duplicated == 0 && kill.Unexpected == 0, $"{role}: {kill}");
            if (Roles.IsMmap(role)) Assert.Equal(0, kill.Lost);
        }
        string table = Compare.Table(Roles.All, results, 1, 2, 0.3);
        _output.WriteLine(table);
        string[] rows = table.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| logger", StringComparison.Ordinal)).ToArray();
        Assert.Equal(Roles.All.Count, rows.Length);
        for (int i = 0; i < rows.Length; i++) Assert.StartsWith("| " + Roles.Describe(Roles.All[i]) + " |", rows[i]);
        Assert.Contains("Machine: ", table);
    }

    [Fact]
    public void Soak_runs_kill_rounds_over_every_scenario_and_both_adapters_and_reports_no_loss_as_markdown()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        int exit = Soak.Run(new CommandLine(new[] { "--rounds", "8", "--seed", "7", "--rounds-per-log", "2" }, 0), output);
        string report = output.ToString();
        _output.WriteLine(report);
        Assert.Equal(0, exit);
        foreach (string scenario in KillScenario.Names)
        {
            Assert.Contains($"| {scenario} | {Roles.Describe(Roles.MmapSerilog)} | 1 |", report);
            Assert.Contains($"| {scenario} | {Roles.Describe(Roles.MmapNLog)} | 1 |", report);
        }
        Assert.Contains("| **all** |  | **8** |", report);
        Assert.DoesNotContain("FAILED", report);
    }
}
