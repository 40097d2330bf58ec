using System.Linq;
using Serilog;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>What the writer writes, mmaplog reads: a value Serilog destructured deeper than the format allows.</summary>
public sealed class DeepValueTests
{
    public sealed class Link
    {
        public int Index { get; set; }
        public Link? Next { get; set; }
    }

    [Fact]
    public void A_value_destructured_200_levels_deep_verifies_clean_and_cat_prints_it_with_the_truncation_marker()
    {
        using var folder = new TempFolder();
        var head = new Link();
        Link current = head;
        for (int i = 1; i < 150; i++)
        {
            current.Next = new Link { Index = i };
            current = current.Next;
        }
        using (var logger = new LoggerConfiguration().Destructure.ToMaximumDepth(200).WriteTo.Mmap(folder.LogPath).CreateLogger())
        {
            logger.Information("A long chain {@Chain}", head);
        }

        ChildResult verify = ToolRun.Run("verify", folder.LogPath);
        ChildResult cat = ToolRun.Run("cat", folder.LogPath);
        ChildResult clef = ToolRun.Run("cat", folder.LogPath, "--format", "clef");

        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("1 events", verify.Lines[^1]);
        Assert.Equal(0, cat.ExitCode);
        string line = Assert.Single(cat.Lines);
        // The default output template renders the message with :lj, so structures as JSON.
        Assert.Contains("A long chain {\"Index\":0,\"Next\":{\"Index\":1,", line);
        Assert.Contains("{\"Index\":62,\"Next\":\"(nested deeper than 64 levels)\",\"$type\":\"Link\"}", line);
        Assert.Equal(0, clef.ExitCode);
        Assert.Contains("\"Next\":\"(nested deeper than 64 levels)\"", Assert.Single(clef.Lines));
    }
}
