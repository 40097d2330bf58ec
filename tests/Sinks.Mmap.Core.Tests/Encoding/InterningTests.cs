using System;
using System.Globalization;
using System.Linq;
using Sinks.Mmap.Format;
using Xunit;

// The root namespace, as in src: a namespace named Encoding would hide System.Text.Encoding from every test.
namespace Sinks.Mmap.Core.Tests;

public class InterningTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    private struct UniqueTemplate : IEventPayload
    {
        public int I;

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = "Template number " + I.ToString(CultureInfo.InvariantCulture) + " {P}", PropertyCount = 1 });
            writer.WritePropertyName("P" + (I % 7).ToString(CultureInfo.InvariantCulture));
            writer.WriteInt32(I);
        }
    }

    private struct NamedBy : IEventPayload
    {
        public string Name;

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = "Value {Total}", PropertyCount = 1 });
            writer.WritePropertyName(Name);
            writer.WriteInt32(1);
        }
    }

    [Fact]
    public void A_name_that_is_a_new_string_instance_in_every_event_is_interned_without_allocating()
    {
        // What NLog hands over for an event it has formatted already: names parsed anew each time.
        const int count = 20_000;
        var names = new string[count];
        for (int i = 0; i < count; i++) names[i] = new string("Total".AsSpan());
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options(1L << 20)))
        {
            for (int i = 0; i < 100; i++)
            {
                var warm = new NamedBy { Name = "Total" };
                writer.Append(T0, MmapLevel.Information, ref warm);
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < count; i++)
            {
                var e = new NamedBy { Name = names[i] };
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
            long perEvent = (GC.GetAllocatedBytesForCurrentThread() - before) / count;
            Assert.Equal(0, perEvent);
        }
        Assert.Empty(log.Errors);
        var events = new MmapLogReader(log.Path_).ReadEvents().ToList();
        Assert.Equal(count + 100, events.Count);
        Assert.All(events, e => Assert.Equal("Total", e.Properties.Single().Name));
    }

    [Fact]
    public void Events_whose_new_strings_no_longer_fit_move_to_the_next_segment_with_their_definitions()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        using (var writer = new MmapLogWriter(options))
        {
            for (int i = 0; i < 600; i++)
            {
                var e = new UniqueTemplate { I = i };
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
        }
        Assert.Empty(log.Errors);
        var reader = new MmapLogReader(log.Path_);
        var events = reader.ReadEvents().ToList();
        Assert.Equal(600, events.Count);
        for (int i = 0; i < 600; i++)
        {
            Assert.Equal("Template number " + i + " {P}", events[i].MessageTemplate);
            Assert.Equal("P" + (i % 7), events[i].Properties.Single().Name);
        }
        ValidationReport report = reader.Validate();
        Assert.True(report.IsClean);
        Assert.True(report.Segments.Count > 10);
        // Each segment reads alone: its definitions are its own.
        foreach (string file in reader.SegmentFiles())
        {
            Assert.True(new MmapLogReader(file).Validate().IsClean);
        }
    }

    [Fact]
    public void Past_65535_interned_strings_a_segment_writes_further_strings_inline()
    {
        using var log = new TestLog();
        const int count = FormatConstants.MaxInternedStrings + 500;
        using (var writer = new MmapLogWriter(log.Options(16 << 20)))
        {
            for (int i = 0; i < count; i++)
            {
                var e = new UniqueTemplate { I = i };
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
        }
        var reader = new MmapLogReader(log.Path_);
        Assert.Single(reader.SegmentFiles());
        long definitions = reader.ReadRecords().Count(r => r.Kind == MmapRecordKind.Definition);
        Assert.Equal(FormatConstants.MaxInternedStrings, definitions);
        int n = 0;
        foreach (MmapEvent e in reader.ReadEvents())
        {
            Assert.Equal("Template number " + n + " {P}", e.MessageTemplate);
            n++;
        }
        Assert.Equal(count, n);
        Assert.True(reader.Validate().IsClean);
    }
}
