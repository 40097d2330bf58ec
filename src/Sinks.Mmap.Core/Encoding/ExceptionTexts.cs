using System;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Sinks.Mmap;

/// <summary>
/// The text of an exception (<c>ToString()</c>), rendered once per exception and kept while the
/// exception lives, as long as nothing that the text shows has changed since. An exception logged
/// again (a retry loop, a log-and-rethrow, the same failure reported per request) then costs a
/// lookup, not ~2 µs and ~2.5 KB of rendering on the logging thread; the record still holds the
/// whole text when the log call returns.
/// </summary>
/// <remarks>
/// What the text shows can change after it was rendered: the stack trace grows while the exception
/// travels up (also while an exception filter runs, before any catch) and again on every rethrow.
/// So each exception of the chain (the exception and its inner ones) is checked on every use: its
/// message reference, its remote stack trace, and its stack trace's frame count, which the runtime
/// keeps in the first word of the trace's buffer. That layout is the runtime's, so it is checked
/// once per process (<see cref="SelfTest"/>): an exception thrown through a filter must show a new
/// count at each step. Where the check fails (another runtime), nothing is kept and every use renders.
/// Exceptions that render themselves (ToString, Message or StackTrace overridden outside the
/// runtime's own library) and aggregates are always rendered afresh. An exception never thrown (an
/// inner one made only to be wrapped) has no trace yet: thrown later, it has one, and the text is rendered again.
/// </remarks>
internal static class ExceptionTexts
{
    private const int MaxChain = 8;

    private static readonly ConditionalWeakTable<Exception, Entry> Cache = new();
    private static readonly ConcurrentDictionary<Type, bool> PlainTypes = new();
    private static int s_state; // 0 untested, 1 usable, 2 unusable

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_stackTrace")]
    private static extern ref object? StackTraceField(Exception exception);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_remoteStackTraceString")]
    private static extern ref string? RemoteStackTraceField(Exception exception);

    /// <summary>
    /// The exception's <c>ToString()</c>, and its type's full name in <paramref name="typeName"/>,
    /// both from the cache when nothing the text shows changed.
    /// </summary>
    /// <remarks>
    /// The type name is kept with the text because <see cref="Type.FullName"/> is not free to ask
    /// again: the runtime holds a type's name cache weakly, so the first call after every
    /// collection builds the name and its cache anew (256 bytes for an InvalidOperationException).
    /// </remarks>
    public static string Of(Exception exception, out string typeName)
    {
        if (!Usable())
        {
            typeName = TypeNameOf(exception);
            return exception.ToString();
        }
        if (Cache.TryGetValue(exception, out Entry? entry) && entry.Matches(exception))
        {
            typeName = entry.TypeName;
            return entry.Text;
        }
        // Taken before rendering: a trace that grows meanwhile makes the entry stale, never wrong.
        Entry? fresh = Entry.TryCapture(exception);
        typeName = TypeNameOf(exception);
        string text = exception.ToString();
        if (fresh is not null)
        {
            fresh.Text = text;
            fresh.TypeName = typeName;
            Cache.AddOrUpdate(exception, fresh);
        }
        return text;
    }

    private static string TypeNameOf(Exception exception)
    {
        Type type = exception.GetType();
        return type.FullName ?? type.Name;
    }

    /// <summary>True when this runtime passed the self-test: texts are kept.</summary>
    internal static bool IsCaching => Usable();

    private static bool Usable()
    {
        int state = Volatile.Read(ref s_state);
        if (state == 0)
        {
            state = SelfTest() ? 1 : 2;
            Volatile.Write(ref s_state, state);
        }
        return state == 1;
    }

    /// <summary>Whether this runtime's stack trace buffer shows a new frame count at each step of a throw, a filter and a rethrow.</summary>
    private static bool SelfTest()
    {
        try
        {
            long inFilter = -1, caught = -1, rethrown = -1;
            try
            {
                CatchAndRethrow(ref inFilter, ref caught);
            }
            catch (InvalidOperationException e)
            {
                rethrown = FrameCount(e);
            }
            return inFilter > 0 && caught > inFilter && rethrown > caught;
        }
        catch (Exception)
        {
            // A runtime without these fields (MissingFieldException) or another layout: render every time.
            return false;
        }
    }

    // Each step in a method of its own: frames are added per method the exception passes.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CatchAndRethrow(ref long inFilter, ref long caught)
    {
        try
        {
            Filter(ref inFilter);
        }
        catch (InvalidOperationException e)
        {
            caught = FrameCount(e);
            throw;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Filter(ref long inFilter)
    {
        try
        {
            ThrowFromDepth(3);
        }
        catch (InvalidOperationException e) when (Record(e, ref inFilter))
        {
        }
    }

    private static bool Record(Exception e, ref long count)
    {
        count = FrameCount(e);
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFromDepth(int depth)
    {
        if (depth == 0)
        {
            throw new InvalidOperationException("self-test");
        }
        ThrowFromDepth(depth - 1);
    }

    /// <summary>The frame count in the trace buffer's first word; 0 for an exception never thrown; -1 for a buffer of another kind.</summary>
    private static long FrameCount(Exception exception) => StackTraceField(exception) switch
    {
        null => 0,
        sbyte[] { Length: >= 8 } buffer => Unsafe.ReadUnaligned<long>(ref Unsafe.As<sbyte, byte>(ref buffer[0])),
        _ => -1,
    };

    // Trimming may remove what these look-ups look for; then a type reads as not plain, which only turns the cache off for it.
    private static bool IsPlain(Type type) => PlainTypes.GetOrAdd(type, static t => IsPlainUncached(t));

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "A member trimmed away makes the type not plain: its text is rendered every time, as without the cache.")]
    private static bool IsPlainUncached(Type t)
    {
        if (typeof(AggregateException).IsAssignableFrom(t)) return false;
        var runtime = typeof(Exception).Assembly;
        return t.GetMethod(nameof(ToString), Type.EmptyTypes)?.DeclaringType?.Assembly == runtime
            && t.GetProperty(nameof(Exception.Message))?.GetMethod?.DeclaringType?.Assembly == runtime
            && t.GetProperty(nameof(Exception.StackTrace))?.GetMethod?.DeclaringType?.Assembly == runtime;
    }

    /// <summary>What the text was rendered from, for each exception of the chain.</summary>
    private sealed class Entry
    {
        private readonly Exception[] _chain;
        private readonly object?[] _traces;
        private readonly long[] _frames;
        private readonly string?[] _messages;
        private readonly string?[] _remote;

        private Entry(int length)
        {
            _chain = new Exception[length];
            _traces = new object?[length];
            _frames = new long[length];
            _messages = new string?[length];
            _remote = new string?[length];
        }

        public string Text = "";

        public string TypeName = "";

        /// <summary>A snapshot of the chain, or null when it must be rendered every time.</summary>
        public static Entry? TryCapture(Exception exception)
        {
            int length = 0;
            for (Exception? e = exception; e is not null; e = e.InnerException)
            {
                if (++length > MaxChain || !IsPlain(e.GetType()) || FrameCount(e) < 0)
                {
                    return null;
                }
            }
            var entry = new Entry(length);
            int i = 0;
            for (Exception? e = exception; e is not null; e = e.InnerException, i++)
            {
                entry._chain[i] = e;
                entry._traces[i] = StackTraceField(e);
                entry._frames[i] = FrameCount(e);
                entry._messages[i] = e.Message;
                entry._remote[i] = RemoteStackTraceField(e);
            }
            return entry;
        }

        public bool Matches(Exception exception)
        {
            int i = 0;
            for (Exception? e = exception; e is not null; e = e.InnerException, i++)
            {
                if (i == _chain.Length
                    || !ReferenceEquals(e, _chain[i])
                    || !ReferenceEquals(StackTraceField(e), _traces[i])
                    || FrameCount(e) != _frames[i]
                    || !ReferenceEquals(e.Message, _messages[i])
                    || !ReferenceEquals(RemoteStackTraceField(e), _remote[i]))
                {
                    return false;
                }
            }
            return i == _chain.Length;
        }
    }
}
