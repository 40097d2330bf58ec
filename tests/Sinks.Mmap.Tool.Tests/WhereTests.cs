using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>--where: Serilog.Expressions filters over the events of every producer.</summary>
public sealed class WhereTests
{
    private static List<long> Sequences(ChildResult result)
    {
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sequence").GetInt64()).ToList();
    }

    private static List<string> Messages(ChildResult result)
    {
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("message").GetString()!).ToList();
    }

    [Theory]
    [MemberData(nameof(LogProducer.All), MemberType = typeof(LogProducer))]
    internal void Where_filters_the_events_of_every_producer_by_level_property_and_exception(LogProducer producer)
    {
        using var folder = new TempFolder();
        IReadOnlyList<ExpectedEvent> expected = producer.Write(folder.LogPath, 600, segmentSize: 16 * 1024);

        // Event 4 is the one Error with OrderId 4 (levels cycle by 6, every 4th event is a cache miss).
        List<string> one = Messages(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", "@l = 'Error' and OrderId = 4"));
        Assert.Equal("Order 4 from \"customer-4\" took 2.0 ms", Assert.Single(one));

        int customers = expected.Count(e => e.Template.StartsWith("Order") && (string)e.Property("Customer") == "customer-3");
        Assert.Equal(customers, Messages(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", "Customer = 'customer-3'")).Count);

        int exceptions = expected.Count(e => e.ExceptionMessage is not null);
        Assert.Equal(exceptions, Messages(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", "Has(@x)")).Count);
        Assert.Equal(expected.Count(e => e.ExceptionMessage is not null && e.Level >= MmapLevel.Warning),
            Messages(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", "Has(@x) and @l in ['Warning', 'Error', 'Fatal']")).Count);

        // A double compared with an integer literal, and an or: no fast path, the expression decides.
        Assert.Single(Messages(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", "Elapsed = 2")));
        Assert.Equal(2, Messages(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", "OrderId = 4 or Key = 'key-7'")).Count);
        Assert.Equal(expected.Count(e => e.Template.StartsWith("Cache")),
            Messages(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", "@mt like 'Cache%'")).Count);
    }

    [Fact]
    internal void SourceContext_is_the_logger_name_of_nlog_events()
    {
        using var folder = new TempFolder();
        new NLogProducer().Write(folder.LogPath, 50);
        Assert.Equal(50, Messages(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", "StartsWith(SourceContext, 'Tool.')")).Count);
        Assert.Empty(Messages(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", "SourceContext = 'Shop.Orders'")));
        Assert.Single(Messages(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", "SourceContext = 'Tool.Tests' and OrderId = 8")));
    }

    [Fact]
    public void The_fast_path_gives_what_the_expression_alone_gives()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 900, segmentSize: 16 * 1024);
        // "(… )" hides the comparison from the fast path: the same events either way.
        foreach ((string fast, string slow) in new[]
                 {
                     ("OrderId = 100", "(OrderId = 100)"),
                     ("Customer = 'customer-2' and @l = 'Warning'", "(Customer = 'customer-2') and (@l = 'Warning')"),
                     ("Key = 'key-11'", "(Key = 'key-11')"),
                     ("OrderId = 'x'", "(OrderId = 'x')"),
                 })
        {
            Assert.Equal(Sequences(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", slow)),
                Sequences(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", fast)));
            // CLEF, which otherwise renders from the bytes, goes through the same filter.
            Assert.Equal(ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--where", slow).Stdout,
                ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--where", fast).Stdout);
        }
        Assert.Single(Sequences(ToolRun.Run("cat", folder.LogPath, "--format", "json", "--where", "OrderId = 100")));
    }

    [Fact]
    public void A_mistake_in_the_expression_is_a_usage_error_that_points_at_it()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 10);
        ChildResult result = ToolRun.Run("cat", folder.LogPath, "--where", "OrderId == 4");
        Assert.Equal(2, result.ExitCode);
        ToolRun.AssertNoStackTrace(result);
        Assert.StartsWith("mmaplog: error: --where: ", result.Stderr);
        Assert.Contains("(here: '= 4')", result.Stderr);
        ChildResult unknown = ToolRun.Run("cat", folder.LogPath, "--where", "Nope(OrderId)");
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("mmaplog: error: --where: The function name `Nope` was not recognized", unknown.Stderr);
    }
}
