using System;

namespace Sinks.Mmap;

/// <summary>
/// The one exception the reader throws for bad input: a file that is not a segment, a segment of a
/// major version this reader does not know, or an unreadable header. Damaged records inside a
/// readable segment never throw; they are skipped and reported.
/// </summary>
public sealed class MmapFormatException : Exception
{
    /// <summary>Creates the exception with a message that says what is wrong and where.</summary>
    public MmapFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner cause.</summary>
    public MmapFormatException(string message, Exception inner) : base(message, inner) { }
}
