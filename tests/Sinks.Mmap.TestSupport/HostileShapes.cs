using System;
using System.IO;
using System.Text;

namespace Sinks.Mmap.TestSupport;

/// <summary>
/// The hostile segments of issue 16, each a valid segment whose records have valid CRCs but whose
/// counts, nesting or sizes aim at a reader's memory or time. Written as <c>app-000001.mlog</c> in a
/// folder; the tool and the core reader must stay bounded on every one.
/// </summary>
internal static class HostileShapes
{
    /// <summary>The timestamp every record carries: 2026-11-21T10:00:00Z.</summary>
    public static readonly long Ticks = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc).Ticks;

    /// <summary>The one segment file of a shape written into <paramref name="folder"/>.</summary>
    public static string SegmentPath(string folder) => Path.Combine(folder, "app-000001.mlog");

    /// <summary>
    /// One record of 16 MiB: an event whose template is <c>{Flags}</c> and whose property Flags is a
    /// sequence of <see cref="BooleanCount"/> trues (one byte each), then the seal. A reader that builds
    /// an object per element, or renders the line into one string, needs gigabytes.
    /// </summary>
    public static void Booleans(string folder)
    {
        using FileStream file = File.Create(SegmentPath(folder));
        var segment = new SegmentBuilder(file, createdTicks: Ticks);
        var body = new BodyBuilder().EventStart().InlineRef("{Flags}").Varint(1).InlineRef("Flags")
            .Byte(0x20).Varint(BooleanCount).Repeat(0x02, BooleanCount);
        segment.Event(body.ToArray(), Ticks);
        segment.Seal(Ticks);
    }

    /// <summary>Elements of <see cref="Booleans"/>: what fills a record of exactly 16 MiB.</summary>
    public const int BooleanCount = SegmentBuilder.MaxRecordLength - 51;

    /// <summary>
    /// One record of 16 MiB: 63 sequences nested in each other, each claiming 16 700 000 elements (each
    /// count fits in the bytes left, so no count check alone refuses it), then nulls to the end. The
    /// record cannot decode (the outer sequences run out of bytes), and a reader that sizes its lists
    /// from the counts allocates 63 × 16.7 M slots before finding out. Then a small event that decodes.
    /// </summary>
    public static void NestedSequences(string folder)
    {
        using FileStream file = File.Create(SegmentPath(folder));
        var segment = new SegmentBuilder(file, createdTicks: Ticks);
        var body = new BodyBuilder().EventStart().NullRef().Varint(1).InlineRef("N");
        for (int i = 0; i < NestedDepth; i++) body.Byte(0x20).Varint(NestedClaim);
        body.Repeat(0x00, SegmentBuilder.MaxRecordLength - SegmentBuilder.FrameHeaderSize - body.Length);
        segment.Event(body.ToArray(), Ticks);
        segment.Event(SmallEvent(), Ticks);
        segment.Seal(Ticks);
    }

    public const int NestedDepth = 63;
    public const int NestedClaim = 16_700_000;

    /// <summary>
    /// One event whose template has <see cref="HoleCount"/> holes, <c>{aaa}{aab}…</c> (1 MB), and as many
    /// properties named in the reverse order, each <c>true</c>, marked as the template's plain rendering
    /// (FORMAT.md 1.1), so readers rebuild its rendered message. Looking each hole's property up by a
    /// scan of the properties costs holes × properties = 4·10¹⁰ comparisons.
    /// </summary>
    public static void ManyHoles(string folder)
    {
        using FileStream file = File.Create(SegmentPath(folder));
        var segment = new SegmentBuilder(file, createdTicks: Ticks);
        var template = new StringBuilder(HoleCount * 5);
        for (int i = 0; i < HoleCount; i++) template.Append('{').Append(HoleName(i)).Append('}');
        var body = new BodyBuilder().EventStart(presence: 0x20).InlineRef(template.ToString()).Varint(HoleCount);
        for (int i = HoleCount - 1; i >= 0; i--) body.InlineRef(HoleName(i)).Byte(0x02);
        segment.Event(body.ToArray(), Ticks);
        segment.Seal(Ticks);
    }

    public const int HoleCount = 200_000;

    /// <summary>Three characters of [a-zA-Z0-9_] for hole <paramref name="i"/>: a valid, distinct property name.</summary>
    public static string HoleName(int i)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
        return new string(new[] { alphabet[i / (63 * 63) % 63], alphabet[i / 63 % 63], alphabet[i % 63] });
    }

    /// <summary>
    /// <paramref name="count"/> Definition records of 16 MiB each (ids 1…count), then a small event that
    /// uses none of them. A reader that keeps every definition, twice (as a string and as bytes), needs
    /// 48 MiB for each.
    /// </summary>
    public static void HugeDefinitions(string folder, int count)
    {
        using FileStream file = File.Create(SegmentPath(folder));
        var segment = new SegmentBuilder(file, createdTicks: Ticks);
        byte[] text = new byte[SegmentBuilder.MaxRecordLength - SegmentBuilder.FrameHeaderSize - 1];
        text.AsSpan().Fill((byte)'a');
        for (int id = 1; id <= count; id++) segment.Definition((ulong)id, text, Ticks);
        segment.Event(SmallEvent(), Ticks);
        segment.Seal(Ticks);
    }

    /// <summary><c>Hello {Name}</c> with Name = "World", everything inline.</summary>
    public static byte[] SmallEvent() =>
        new BodyBuilder().EventStart().InlineRef("Hello {Name}").Varint(1).InlineRef("Name").StringValue("World").ToArray();
}
