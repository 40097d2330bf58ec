namespace Sinks.Mmap.Writing;

/// <summary>What <see cref="ActiveSegment.TryAppend(System.ReadOnlySpan{byte}, long, byte, ThreadClaims?, out int, out System.Exception?)"/> did with an event.</summary>
internal enum AppendResult
{
    /// <summary>The record is published.</summary>
    Appended,

    /// <summary>The segment is sealed (it was full, or is being rotated): nothing was claimed, try the next one.</summary>
    Sealed,

    /// <summary>The encoded bytes could not be copied into the segment; the slot holds Padding.</summary>
    NotCopied,

    /// <summary>The payload threw while encoding in place; the slot holds Padding.</summary>
    NotEncoded,

    /// <summary>The payload wrote another length than it measured; the slot holds Padding.</summary>
    SizeChanged,
}
