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
        string first = ExceptionTexts.Of(exception);
        Assert.Equal(exception.ToString(), first);

        long before = GC.GetAllocatedBytesForCurrentThread();
        string again = ExceptionTexts.Of(exception);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Same(first, again);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_rethrown_exception_logged_again_holds_the_frames_its_rethrow_added()
    {
        string? first = null;
        try
        {
            LogAndRethrow(e => first = ExceptionTexts.Of(e));
        }
        catch (InvalidOperationException e)
        {
            string again = ExceptionTexts.Of(e);
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
            Middle(e => inFilter = ExceptionTexts.Of(e));
        }
        catch (InvalidOperationException e)
        {
            string caught = ExceptionTexts.Of(e);
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
        string first = ExceptionTexts.Of(exception);
        exception.Count++;
        string second = ExceptionTexts.Of(exception);
        Assert.Equal(exception.ToString(), second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void An_exception_with_an_inner_exception_that_is_thrown_again_is_rendered_again()
    {
        var inner = Thrown();
        Exception outer = Thrown(() => throw new ApplicationException("outer", inner));
        string first = ExceptionTexts.Of(outer);
        try
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
        }
        catch (InvalidOperationException)
        {
        }
        string second = ExceptionTexts.Of(outer);
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
