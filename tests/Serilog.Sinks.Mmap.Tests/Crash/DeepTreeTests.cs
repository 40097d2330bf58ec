using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Sinks.Mmap;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Crash;

public class DeepTreeTests
{
    [Fact]
    public void A_structure_an_enricher_nested_100000_levels_deep_is_written_truncated_in_a_child_that_lives_on_logging()
    {
        using var log = new TempFolder();
        string dll = DotnetChild.BesideTests("Serilog.Sinks.Mmap.TestChild.dll");
        ChildResult run = DotnetChild.Run(dll, new[] { "--scenario", "deep", log.LogPath }, TimeSpan.FromSeconds(60));
        string stdout = run.Stdout;
        Assert.True(run.ExitCode == 0, $"the child died (exit code {run.ExitCode}): {stdout}\n{Tail(run.Stderr)}");
        Assert.Contains("done", stdout);

        var reader = new MmapLogReader(log.LogPath);
        Assert.True(reader.Validate().IsClean, "verify finds no damage");
        MmapEvent[] events = reader.ReadEvents().ToArray();
        Assert.Equal(201, events.Length);
        Assert.True(events[0].TryGetProperty("Deep", out LogValue deep));
        int depth = 1;
        while (deep is LogStructure structure)
        {
            deep = structure.Properties.Single().Value;
            depth++;
        }
        Assert.Equal(64, depth);
        Assert.True(Assert.IsType<LogOpaqueScalar>(deep).IsTruncationMarker);
        Assert.Equal(Enumerable.Range(0, 200), events.Skip(1).Select(e => (int)((LogScalar)e.Properties.Single(p => p.Name == "Index").Value).Value!));
    }

    // A stack overflow prints one frame per level: keep the start.
    private static string Tail(string text) => text.Length > 2000 ? text.Substring(0, 2000) : text;
}
