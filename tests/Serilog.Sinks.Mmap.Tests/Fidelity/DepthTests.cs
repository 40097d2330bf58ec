using System.Linq;
using Serilog.Events;
using Sinks.Mmap;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Fidelity;

/// <summary>What Serilog destructures deeper than the format's 64 levels is written with the truncation marker; the log stays readable.</summary>
public class DepthTests
{
    public sealed class Link
    {
        public int Index { get; set; }
        public Link? Next { get; set; }
    }

    private static Link Chain(int length)
    {
        var head = new Link { Index = 0 };
        Link current = head;
        for (int i = 1; i < length; i++)
        {
            current.Next = new Link { Index = i };
            current = current.Next;
        }
        return head;
    }

    [Fact]
    public void A_chain_destructured_200_levels_deep_reads_back_to_level_64_ending_in_the_marker_and_the_log_verifies_clean()
    {
        using var log = new TempFolder();
        var errors = new System.Collections.Generic.List<string>();
        Debugging.SelfLog.Enable(m => { lock (errors) errors.Add(m); });
        try
        {
            using (var logger = new LoggerConfiguration().Destructure.ToMaximumDepth(200).WriteTo.Mmap(log.LogPath).CreateLogger())
            {
                logger.Information("A long chain {@Chain}", Chain(150));
                logger.Information("And then {Index}", 1);
            }
        }
        finally
        {
            Debugging.SelfLog.Disable();
        }
        var reader = new MmapLogReader(log.LogPath);
        Assert.True(reader.Validate().IsClean, "verify finds no damage");
        MmapEvent[] events = reader.ReadEvents().ToArray();
        Assert.Equal(2, events.Length);
        Assert.True(events[0].TryGetProperty("Chain", out LogValue value));
        int depth = 1;
        while (value is LogStructure structure)
        {
            Assert.Equal("Link", structure.TypeTag);
            Assert.Equal(depth - 1, ((LogScalar)structure.Properties[0].Value).Value);
            value = structure.Properties.Single(p => p.Name == "Next").Value;
            depth++;
        }
        Assert.Equal(64, depth);
        Assert.True(Assert.IsType<LogOpaqueScalar>(value).IsTruncationMarker);
        Assert.Contains(errors, e => e.Contains("nested deeper than 64 levels", System.StringComparison.Ordinal));
    }
}
