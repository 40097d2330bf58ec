using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Sinks.Mmap.Rendering;
using Sinks.Mmap.Templates;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Templates;

public class PlainMessageRendererTests
{
    [Fact]
    public void Holes_are_replaced_by_plain_invariant_text_and_escaped_braces_by_one_brace()
    {
        string? text = PlainMessageRenderer.TryRender("{{x}} User {UserId} from {Ip} after {Elapsed} ms: {Ok} {Id} {Ratio} {Price}",
            new[] { "UserId", "Ip", "Elapsed", "Ok", "Id", "Ratio", "Price" },
            new object?[] { -42, "10.0.0.1", 12.5, true, new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"), 1f / 3, 12.50m });
        Assert.Equal("{x} User -42 from 10.0.0.1 after 12.5 ms: true 0f8fad5b-d9cb-469f-a165-70867728950e 0.33333334 12.50", text);
    }

    [Theory]
    [InlineData("Formatted {A:0.00}")]
    [InlineData("Aligned {A,5}")]
    [InlineData("Destructured {@A}")]
    [InlineData("Stringified {$A}")]
    [InlineData("Missing {B}")]
    public void A_hole_with_a_format_alignment_operator_or_no_property_has_no_plain_rendering(string template)
    {
        Assert.Null(PlainMessageRenderer.TryRender(template, new[] { "A" }, new object?[] { 1.0 }));
    }

    [Fact]
    public void Values_that_are_not_plain_scalars_have_no_plain_rendering()
    {
        Assert.Null(PlainMessageRenderer.TryRender("{A}", new[] { "A" }, new object?[] { null }));
        Assert.Null(PlainMessageRenderer.TryRender("{A}", new[] { "A" }, new object?[] { DateTime.UnixEpoch }));
        Assert.Null(PlainMessageRenderer.TryRender("{A}", new[] { "A" }, new object?[] { 'c' }));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_event_marked_plain_stores_no_text_and_reads_back_with_its_template_rendered(bool plain)
    {
        const string text = "User 42 from 10.0.0.1 after 12.5 ms";
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            var e = new SimpleEvent("User {Number} from {Text} after {Elapsed} ms", 42, "10.0.0.1", 12.5) { Plain = plain, Rendered = plain ? null : text };
            Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e));
        }
        Assert.Equal(text, Assert.Single(new MmapLogReader(log.Path_).ReadEvents()).RenderedMessage);
        byte[] segment = File.ReadAllBytes(Assert.Single(log.SegmentFiles()));
        Assert.Equal(!plain, segment.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0);
    }

    [Fact]
    public void Without_a_template_the_plain_mark_is_ignored()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            var e = new SimpleEvent(null!, 1, "x", 1.0) { Plain = true };
            Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e));
        }
        MmapEvent read = Assert.Single(new MmapLogReader(log.Path_).ReadEvents());
        Assert.Null(read.MessageTemplate);
        Assert.Null(read.RenderedMessage);
    }
}
