using System;

namespace Sinks.Mmap;

/// <summary>What kind of trouble the writer ran into.</summary>
public enum MmapLogErrorKind
{
    /// <summary>A segment could not be created, mapped, flushed or closed (disk full, permission, I/O).</summary>
    Io,
    /// <summary>Another writer holds the log's lock.</summary>
    Locked,
    /// <summary>Memory mapping is unavailable; the writer fell back to positional writes.</summary>
    MappingUnavailable,
    /// <summary>An event could not be encoded (too large, written in another shape than declared, or the payload failed); it was dropped.</summary>
    EventRejected,
    /// <summary>Recovery found and repaired damage left by a crash.</summary>
    Recovery,
    /// <summary>Writing works again after a failure; the message says how many events were dropped meanwhile.</summary>
    Recovered,
    /// <summary>
    /// Another writer holds the log's first lane (a second process on the same path); this writer writes
    /// a lane of its own beside it, and readers merge the lanes. Nothing is dropped.
    /// </summary>
    SharedLog,
    /// <summary>
    /// An event had a value nested deeper than the format allows; it was written with the truncation
    /// marker in place of what was deeper (see <see cref="MmapLogWriter.TruncatedEvents"/>).
    /// </summary>
    EventTruncated,
    /// <summary>A segment lifecycle hook (<see cref="SegmentLifecycleHooks"/>) threw or did not return in time; the log went on without it.</summary>
    Hook,
}

/// <summary>An error the writer reports through <see cref="MmapLogOptions.OnError"/>; it never throws into the application.</summary>
public sealed class MmapLogError
{
    /// <summary>Creates an error report.</summary>
    public MmapLogError(MmapLogErrorKind kind, string message, Exception? exception = null)
    {
        Kind = kind;
        Message = message;
        Exception = exception;
    }

    /// <summary>The kind of error.</summary>
    public MmapLogErrorKind Kind { get; }

    /// <summary>A message that names the file and says what happens next.</summary>
    public string Message { get; }

    /// <summary>The underlying exception, when there is one.</summary>
    public Exception? Exception { get; }

    /// <inheritdoc />
    public override string ToString() => Exception is null ? Message : Message + ": " + Exception.Message;
}
