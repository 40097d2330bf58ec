using System;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Reading;

/// <summary>
/// Decodes an Event body into an <see cref="MmapEvent"/>. The body is walked first without building
/// anything (<see cref="ValidatingVisitor"/>): a damaged body costs no allocation, and in a body that
/// walks every count is true, so the second walk (<see cref="EventBuilder"/>) builds lists at their
/// exact size and never from a count that only claims to be. Values that take one or two bytes are
/// shared (<see cref="SharedValues"/>), so memory stays a small multiple of the record's size.
/// </summary>
internal static class EventDecoder
{
    public static MmapEvent? Decode(ReadOnlySpan<byte> frame, SegmentStrings strings, out string? error)
    {
        var validator = new ValidatingVisitor();
        if (!EventBodyWalker.Walk(frame, strings, ref validator, out error)) return null;
        var builder = new EventBuilder(strings);
        EventBodyWalker.Walk(frame, strings, ref builder, out error);
        return builder.Event;
    }
}
