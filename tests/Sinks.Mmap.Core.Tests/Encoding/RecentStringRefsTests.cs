using System;
using System.Linq;
using Sinks.Mmap.Adapters;
using Sinks.Mmap.Writing;
using Xunit;

// The root namespace, as in src: a namespace named Encoding would hide System.Text.Encoding from every test.
namespace Sinks.Mmap.Core.Tests;

/// <summary>
/// A thread remembers the string ids its last events used, by position in the event. Ids belong
/// to one segment: these tests make the same string instances land in segments where they have
/// different ids, which reads back wrong if a remembered id leaks across.
/// </summary>
public class RecentStringRefsTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 22, 9);

    private const string SharedTemplate = "Shipped {Order} to {Country}";
    private const string OtherTemplate = "Something else {Other}";

    private readonly struct TemplateEvent : IEventPayload
    {
        private readonly string _template;
        private readonly string[] _names;

        public TemplateEvent(string template, params string[] names)
        {
            _template = template;
            _names = names;
        }

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = _template, LoggerName = "Orders", PropertyCount = _names.Length });
            for (int i = 0; i < _names.Length; i++)
            {
                writer.WritePropertyName(_names[i]);
                writer.WriteInt32(i);
            }
        }
    }

    [Fact]
    public void A_thread_writing_to_two_logs_in_turn_gets_each_logs_own_string_ids()
    {
        using var logA = new TestLog();
        using var logB = new TestLog();
        var shared = new TemplateEvent(SharedTemplate, "Order", "Country");
        var other = new TemplateEvent(OtherTemplate, "Other");
        using (var writerA = new MmapLogWriter(logA.Options(1 << 20)))
        using (var writerB = new MmapLogWriter(logB.Options(1 << 20)))
        {
            // Log B defines other strings first, so the shared ones get different ids there than in log A.
            Assert.True(writerB.Append(T0, MmapLevel.Information, ref other));
            for (int i = 0; i < 50; i++)
            {
                Assert.True(writerA.Append(T0 + i, MmapLevel.Information, ref shared));
                Assert.True(writerB.Append(T0 + i, MmapLevel.Information, ref shared));
            }
        }
        var fromA = new MmapLogReader(logA.Path_).ReadEvents().ToList();
        var fromB = new MmapLogReader(logB.Path_).ReadEvents().ToList();
        Assert.Equal(50, fromA.Count);
        Assert.Equal(51, fromB.Count);
        Assert.Equal(OtherTemplate, fromB[0].MessageTemplate);
        foreach (MmapEvent e in fromA.Concat(fromB.Skip(1)))
        {
            Assert.Equal(SharedTemplate, e.MessageTemplate);
            Assert.Equal("Orders", e.LoggerName);
            Assert.Equal(new[] { "Order", "Country" }, e.Properties.Select(p => p.Name).ToArray());
        }
    }

    [Fact]
    public void The_same_strings_after_a_rotation_refer_to_the_new_segments_own_definitions()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        var shared = new TemplateEvent(SharedTemplate, "Order", "Country");
        var other = new TemplateEvent(OtherTemplate, "Other");
        using (var writer = new MmapLogWriter(options))
        {
            for (int i = 0; i < 1000; i++)
            {
                // Every so often another template comes first in a segment, shifting the ids of the shared strings.
                if (i % 17 == 0)
                {
                    Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref other));
                }
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref shared));
            }
        }
        Assert.Empty(log.Errors);
        var reader = new MmapLogReader(log.Path_);
        Assert.True(reader.SegmentFiles().Count() > 5);
        foreach (string file in reader.SegmentFiles())
        {
            var segmentReader = new MmapLogReader(file);
            Assert.True(segmentReader.Validate().IsClean);
            foreach (MmapEvent e in segmentReader.ReadEvents())
            {
                Assert.Contains(e.MessageTemplate, new[] { SharedTemplate, OtherTemplate });
                if (e.MessageTemplate == SharedTemplate)
                {
                    Assert.Equal(new[] { "Order", "Country" }, e.Properties.Select(p => p.Name).ToArray());
                }
            }
        }
        Assert.Equal(1000 + 59, reader.ReadEvents().Count());
    }

    [Fact]
    public void An_event_a_thread_writes_again_from_its_remembered_ids_has_the_bytes_of_one_written_without_them()
    {
        using var log = new TestLog();
        ActiveSegment segment = log.StandaloneSegment("recent", T0);
        var other = new TemplateEvent(OtherTemplate, "Other");
        var shared = new TemplateEvent(SharedTemplate, "Order", "Country", "Other");
        var recent = new RecentStringRefs();
        recent.BindTo(segment);
        // Ids above 1: another event's strings are defined first.
        byte[] first = Scratch(segment, recent, other);
        byte[] interned = Scratch(segment, recent, shared);
        byte[] remembered = Scratch(segment, recent, shared);
        byte[] twoPass = TwoPass(segment, shared);

        Assert.NotEmpty(first);
        Assert.Equal(twoPass, interned);
        Assert.Equal(twoPass, remembered);
    }

    [Fact]
    public void A_name_built_anew_with_the_same_text_is_found_at_its_position_and_another_text_is_not()
    {
        using var log = new TestLog();
        ActiveSegment segment = log.StandaloneSegment("recent-text", T0);
        var recent = new RecentStringRefs();
        recent.BindTo(segment);
        recent.Remember(2, "Order", 7);

        string anew = new string("Order".AsSpan());
        Assert.NotSame("Order", anew);
        Assert.Equal(7, recent.Find(2, anew));
        Assert.Equal(0, recent.Find(2, "Ordex"));
        Assert.Equal(0, recent.Find(2, "Orders"));
        Assert.Equal(0, recent.Find(3, anew));
    }

    [Fact]
    public void Events_whose_names_are_new_strings_each_time_are_written_from_the_remembered_ids_with_the_same_bytes()
    {
        using var log = new TestLog();
        ActiveSegment segment = log.StandaloneSegment("recent-anew", T0);
        var recent = new RecentStringRefs();
        recent.BindTo(segment);
        Scratch(segment, recent, new TemplateEvent(OtherTemplate, "Other"));
        // As NLog hands them over when it formats the message itself: the same text, a new string per event.
        TemplateEvent Anew() => new(SharedTemplate, new string("Order".AsSpan()), new string("Country".AsSpan()));
        byte[] interned = Scratch(segment, recent, Anew());
        int defined = segment.Strings.Count;
        byte[] remembered = Scratch(segment, recent, Anew());
        byte[] expected = TwoPass(segment, Anew());

        Assert.Equal(expected, interned);
        Assert.Equal(expected, remembered);
        Assert.Equal(defined, segment.Strings.Count);
    }

    /// <summary>The event measured, then encoded into a span of exactly that length: no remembered ids.</summary>
    private static byte[] TwoPass(ActiveSegment segment, TemplateEvent e)
    {
        var measure = EventWriter.ForMeasuring(segment);
        e.Write(ref measure);
        byte[] bytes = new byte[measure.Position];
        var exact = EventWriter.ForExactSpan(segment, bytes);
        e.Write(ref exact);
        return bytes;
    }

    private static byte[] Scratch(ActiveSegment segment, RecentStringRefs recent, TemplateEvent e)
    {
        byte[] buffer = new byte[1024];
        var writer = EventWriter.ForScratch(segment, buffer, recent);
        e.Write(ref writer);
        Assert.Equal(EventRejection.None, writer.Rejection);
        return buffer.AsSpan(0, writer.Position).ToArray();
    }
}
