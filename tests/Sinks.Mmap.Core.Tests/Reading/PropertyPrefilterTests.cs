using System;
using System.Collections.Generic;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Reading;

public class PropertyPrefilterTests
{
    /// <summary>
    /// Writes three events (Number 1, 2, 3; Text "a", "b", "c"; Elapsed a double) and returns, for each, whether
    /// it may match; every one was walked whole, so the stream counts all three as events that decode.
    /// </summary>
    private static List<bool> Run(PropertyPrefilter filter)
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            for (int i = 1; i <= 3; i++)
            {
                var e = new SimpleEvent("Item {Number} {Text} {Elapsed}", i, ((char)('a' + i - 1)).ToString(), i * 0.5);
                Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e));
            }
        }

        var results = new List<bool>();
        using MmapRecordStream records = new MmapLogReader(log.Path_).OpenRecordStream(null, null);
        while (records.MoveNext())
        {
            if (records.Kind != MmapRecordKind.Event) continue;
            results.Add(filter.MayMatch(records));
        }
        SegmentReport report = Assert.Single(records.Reports);
        Assert.Equal(3, report.Events);
        Assert.Equal(0, report.UndecodableRecords);
        return results;
    }

    [Fact]
    public void A_number_comparison_passes_only_the_event_holding_that_number()
    {
        var results = Run(new PropertyPrefilter().RequireNumber("Number", 2));
        Assert.Equal(new[] { false, true, false }, results);
    }

    [Fact]
    public void A_text_comparison_passes_only_the_event_holding_that_text()
    {
        var results = Run(new PropertyPrefilter().RequireText("Text", "c"));
        Assert.Equal(new[] { false, false, true }, results);
    }

    [Fact]
    public void Every_comparison_must_be_met()
    {
        var results = Run(new PropertyPrefilter().RequireNumber("Number", 2).RequireText("Text", "c"));
        Assert.Equal(new[] { false, false, false }, results);
    }

    [Fact]
    public void A_missing_property_rejects_every_event()
    {
        var results = Run(new PropertyPrefilter().RequireBool("Ok", true));
        Assert.All(results, may => Assert.False(may));
    }

    [Fact]
    public void A_value_of_another_kind_is_left_to_the_full_comparison()
    {
        // Elapsed is a double: only the caller's comparison can say whether 0.5 equals it.
        var results = Run(new PropertyPrefilter().RequireNumber("Elapsed", 7).RequireText("Number", "x"));
        Assert.All(results, may => Assert.True(may));
    }

    [Fact]
    public void A_prefilter_holds_at_most_64_comparisons()
    {
        var filter = new PropertyPrefilter();
        for (int i = 0; i < PropertyPrefilter.MaxComparisons; i++) filter.RequireBool("P" + i, true);
        var ex = Assert.Throws<InvalidOperationException>(() => filter.RequireBool("One more", true));
        Assert.Contains("64", ex.Message, StringComparison.Ordinal);
    }
}
