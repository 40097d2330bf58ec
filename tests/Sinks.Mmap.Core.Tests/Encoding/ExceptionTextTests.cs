using System;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

// The root namespace, as in src: a namespace named Encoding would hide System.Text.Encoding from every test.
namespace Sinks.Mmap.Core.Tests;

/// <summary>
/// An exception's text is rendered once and reused while nothing it shows changed: every record
/// still holds exactly what ToString() returns at the moment of the log call.
/// </summary>
public class ExceptionTextTests
{
    [Fact]
    public void An_exception_logged_again_is_not_rendered_again_and_allocates_nothing()
    {
        // The runtime this suite runs on passes the self-test (where one does not, every use renders).
        Assert.True(ExceptionTexts.IsCaching);
        Exception exception = Thrown();
        string first = ExceptionTexts.Of(exception, out _);
        Assert.Equal(exception.ToString(), first);

        long before = GC.GetAllocatedBytesForCurrentThread();
        string again = ExceptionTexts.Of(exception, out _);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Same(first, again);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void An_exception_logged_again_after_a_collection_allocates_nothing_for_its_type_name()
    {
        Exception exception = Thrown();
        var header = new EventHeader();
        header.SetException(exception);
        // The runtime holds a type's name cache weakly: asking Type.FullName again after a collection builds it anew.
        GC.Collect();

        long before = GC.GetAllocatedBytesForCurrentThread();
        header.SetException(exception);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(exception.GetType().FullName, header.ExceptionType);
        Assert.Same(exception.Message, header.ExceptionMessage);
    }

    [Fact]
    public void A_rethrown_exception_logged_again_holds_the_frames_its_rethrow_added()
    {
        string? first = null;
        try
        {
            LogAndRethrow(e => first = ExceptionTexts.Of(e, out _));
        }
        catch (InvalidOperationException e)
        {
            string again = ExceptionTexts.Of(e, out _);
            Assert.Equal(e.ToString(), again);
            Assert.NotEqual(first, again);
            Assert.Contains(nameof(A_rethrown_exception_logged_again_holds_the_frames_its_rethrow_added), again, StringComparison.Ordinal);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LogAndRethrow(Action<Exception> log)
    {
        try
        {
            ThrowFrom(3);
        }
        catch (InvalidOperationException e)
        {
            log(e);
            throw;
        }
    }

    [Fact]
    public void An_exception_logged_in_a_filter_and_again_in_a_catch_further_up_holds_the_frames_added_in_between()
    {
        string? inFilter = null;
        try
        {
            Middle(e => inFilter = ExceptionTexts.Of(e, out _));
        }
        catch (InvalidOperationException e)
        {
            string caught = ExceptionTexts.Of(e, out _);
            Assert.Equal(e.ToString(), caught);
            Assert.NotNull(inFilter);
            Assert.NotEqual(inFilter, caught);
            Assert.Contains(nameof(Middle), caught, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_exception_whose_message_changes_is_rendered_again_each_time()
    {
        var exception = (CountingException)Thrown(() => throw new CountingException());
        string first = ExceptionTexts.Of(exception, out _);
        exception.Count++;
        string second = ExceptionTexts.Of(exception, out _);
        Assert.Equal(exception.ToString(), second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void An_exception_with_an_inner_exception_that_is_thrown_again_is_rendered_again()
    {
        var inner = Thrown();
        Exception outer = Thrown(() => throw new ApplicationException("outer", inner));
        string first = ExceptionTexts.Of(outer, out _);
        try
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
        }
        catch (InvalidOperationException)
        {
        }
        string second = ExceptionTexts.Of(outer, out _);
        Assert.Equal(outer.ToString(), second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void A_record_holds_the_exception_text_of_the_moment_it_was_logged()
    {
        using var log = new TestLog();
        Exception exception = Thrown();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            for (int i = 0; i < 3; i++)
            {
                var e = new ExceptionEvent { Exception = exception };
                Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Error, ref e));
            }
        }
        var events = new MmapLogReader(log.Path_).ReadEvents().ToList();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(exception.ToString(), e.Exception!.Text));
    }

    [Fact]
    public void An_exception_logged_again_is_stored_once_a_segment_and_each_later_record_refers_to_its_text()
    {
        using var log = new TestLog();
        Exception exception = Thrown();
        string text = exception.ToString();
        Assert.True(text.Length > 300, "a text with a stack, longer than the records that refer to it");
        const int count = 1000;
        using (var writer = new MmapLogWriter(log.Options()))
        {
            for (int i = 0; i < count; i++)
            {
                var e = new ExceptionEvent { Exception = exception };
                Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Error, ref e));
            }
        }
        var reader = new MmapLogReader(log.Path_);
        var records = reader.ReadRecords().ToList();
        var events = records.Where(r => r.Kind == MmapRecordKind.Event).ToList();
        Assert.Equal(count, events.Count);
        Assert.All(events, r => Assert.Equal(text, r.Event!.Exception!.Text));
        // The text is defined once; every event record is a few dozen bytes, not the text's size.
        Assert.All(events, r => Assert.True(r.Length < 128, $"an event record of {r.Length} bytes"));
        Assert.True(reader.Validate().IsClean);
        // Read back, the text is decoded once a segment: every event of the segment holds the same string.
        var read = reader.ReadEvents().ToList();
        Assert.Same(read[0].Exception!.Text, read[1].Exception!.Text);
    }

    [Fact]
    public void Distinct_long_exception_texts_past_the_segments_budget_are_written_inline_and_read_back_whole()
    {
        using var log = new TestLog();
        // Each text ~64 KiB of UTF-16 units: 70 of them are past the table's budget for long strings.
        int perText = 32_000;
        int texts = (int)(StringTable.MaxLongChars / perText) + 6;
        MmapLogOptions options = log.Options(32L << 20);
        using (var writer = new MmapLogWriter(options))
        {
            for (int i = 0; i < texts; i++)
            {
                var e = new TextEvent { Text = i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + new string('x', perText) };
                Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Error, ref e));
            }
            // Logged again: the early ones by reference, the late ones inline again.
            for (int i = 0; i < texts; i++)
            {
                var e = new TextEvent { Text = i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + new string('x', perText) };
                Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Error, ref e));
            }
        }
        Assert.Empty(log.Errors);
        var events = new MmapLogReader(log.Path_).ReadRecords().Where(r => r.Kind == MmapRecordKind.Event).ToList();
        Assert.Equal(2 * texts, events.Count);
        for (int i = 0; i < events.Count; i++)
        {
            string expected = (i % texts).ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + new string('x', perText);
            Assert.Equal(expected, events[i].Event!.Exception!.Text);
        }
        // Interned while the budget lasted (a short record the second time), inline after it.
        Assert.True(events[texts].Length < 256, $"the first text logged again: {events[texts].Length} bytes");
        Assert.True(events[2 * texts - 1].Length > perText, $"the last text logged again: {events[2 * texts - 1].Length} bytes");
    }

    private struct TextEvent : IEventPayload
    {
        public string Text;

        public readonly void Write(ref EventWriter writer) =>
            writer.WriteHeader(new EventHeader { MessageTemplate = "failed", ExceptionType = "Big", ExceptionMessage = "big", ExceptionText = Text });
    }

    private struct ExceptionEvent : IEventPayload
    {
        public Exception Exception;

        public readonly void Write(ref EventWriter writer)
        {
            var header = new EventHeader { MessageTemplate = "failed" };
            header.SetException(Exception);
            writer.WriteHeader(header);
        }
    }

    private sealed class CountingException : Exception
    {
        public int Count;

        public override string Message => "count " + Count;
    }

    private static Exception Thrown() => Thrown(() => ThrowFrom(2));

    private static Exception Thrown(Action thrower)
    {
        try
        {
            thrower();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new InvalidOperationException("not thrown");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFrom(int depth)
    {
        if (depth == 0) throw new InvalidOperationException("failed at the bottom", new TimeoutException("no answer"));
        ThrowFrom(depth - 1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Middle(Action<Exception> logInFilter)
    {
        try
        {
            ThrowFrom(2);
        }
        catch (InvalidOperationException e) when (LogAndDecline(e, logInFilter))
        {
        }
    }

    private static bool LogAndDecline(Exception e, Action<Exception> log)
    {
        log(e);
        return false;
    }
}
