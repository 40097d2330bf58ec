using System;
using System.Collections.Generic;
using System.Globalization;
using Sinks.Mmap;
using static Sinks.Mmap.Core.Tests.Rendering.Events;

namespace Sinks.Mmap.Core.Tests.Rendering;

/// <summary>Values of every scalar kind, the formats that make sense for each, nested values and cultures.</summary>
internal static class Samples
{
    private static readonly string[] NoFormats = Array.Empty<string>();
    private static readonly string[] IntegerFormats = { "x8", "X", "000", "N2", "D5", "G", "0.00", "#,##0", "E2", "C", "P" };
    private static readonly string[] RealFormats = { "N2", "0.000", "G", "R", "E3", "F1", "P", "#,##0.##", "C" };
    private static readonly string[] DateFormats = { "o", "O", "yyyy-MM-dd HH:mm:ss.fff zzz", "d", "D", "s", "u", "HH:mm", "dddd MMMM", "R", "G", "yyyy-MM-dd" };
    private static readonly string[] TimeSpanFormats = { "c", "g", "G", "hh\\:mm", "%d" };
    private static readonly string[] GuidFormats = { "N", "D", "B", "P", "X" };
    private static readonly string[] StringFormats = { "l", "u", "w", "x" };

    public static readonly (object? Value, string[] Formats)[] Scalars =
    {
        (null, NoFormats),
        (true, NoFormats),
        (false, NoFormats),
        (0, IntegerFormats),
        (-1, IntegerFormats),
        (42, IntegerFormats),
        (int.MaxValue, IntegerFormats),
        (long.MinValue, IntegerFormats),
        (1234567890123L, IntegerFormats),
        (3u, IntegerFormats),
        (ulong.MaxValue, IntegerFormats),
        ((byte)7, IntegerFormats),
        ((sbyte)-7, IntegerFormats),
        ((short)-300, IntegerFormats),
        ((ushort)65000, IntegerFormats),
        (3.14159, RealFormats),
        (-0.0, RealFormats),
        (1e300, RealFormats),
        (0.1 + 0.2, RealFormats),
        (1234567.891, RealFormats),
        (double.NaN, RealFormats),
        (double.PositiveInfinity, RealFormats),
        (double.NegativeInfinity, RealFormats),
        (1.5f, RealFormats),
        (float.NaN, RealFormats),
        (float.NegativeInfinity, RealFormats),
        (16777217.5f, RealFormats),
        (12.345m, RealFormats),
        (-79228162514264337593543950335m, RealFormats),
        ("plain", StringFormats),
        ("", StringFormats),
        ("with \"quotes\" inside", StringFormats),
        ("tab\tnew\nline\r\u0001\u001f\\ back\fslash", StringFormats),
        ("unicodé ✓ 😀 \u2028 \u007f <>&'", StringFormats),
        ('c', NoFormats),
        ('"', NoFormats),
        ('\n', NoFormats),
        (new DateTime(2024, 2, 29, 13, 14, 15, 123, DateTimeKind.Utc).AddTicks(4567), DateFormats),
        (new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Unspecified), DateFormats),
        (new DateTimeOffset(2024, 2, 29, 13, 14, 15, 123, TimeSpan.FromHours(5.5)).AddTicks(89), DateFormats),
        (new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.FromHours(-8)), DateFormats),
        (new TimeSpan(1, 2, 3, 4, 5), TimeSpanFormats),
        (TimeSpan.FromTicks(-123456789), TimeSpanFormats),
        (Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"), GuidFormats),
        (new DateOnly(2024, 2, 29), new[] { "o", "d", "D", "yyyy/MM/dd", "M" }),
        (new TimeOnly(13, 14, 15, 123).Add(TimeSpan.FromTicks(4567)), new[] { "o", "t", "T", "HH:mm:ss.fff" }),
        (new TimeOnly(0, 0), new[] { "o", "t" }),
    };

    public static readonly CultureInfo[] Cultures =
    {
        CultureInfo.InvariantCulture,
        CultureInfo.GetCultureInfo("en-US"),
        CultureInfo.GetCultureInfo("de-DE"),
        CultureInfo.GetCultureInfo("fr-FR"),
        CultureInfo.GetCultureInfo("ja-JP"),
    };

    /// <summary>Nested values: sequences, structures (tagged and not) and dictionaries, including empty ones.</summary>
    public static IEnumerable<LogValue> Nested()
    {
        yield return Seq();
        yield return Seq(S(1), S(2), S(3));
        yield return Seq(S("a"), S(null), S(2.5), S('x'), S(new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc)));
        yield return Struct(null);
        yield return Struct("Empty");
        yield return Struct(null, P("A", 1), P("B", "x"));
        yield return Struct("Customer", P("Name", "nblumhardt"), P("Tags", Seq(S(1), S(2), S(3))), P("Balance", 12.5m));
        yield return Struct("Order", P("Id", Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff")), P("Lines", Seq(Struct("Line", P("Sku", "A\"1"), P("Qty", 2)), Struct(null, P("Sku", "B"), P("Price", 3.75)))));
        yield return Struct("Weird \"tag\"", P("$type", "shadow"), P("with space", true), P("@at", 1));
        yield return Dict();
        yield return Dict(("k", S(1)), ("other", S("v")));
        yield return Dict((1, S("one")), (2.5, S("two and a half")), (null, S(null)), (true, Seq(S(1))));
        yield return Dict((new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc), Struct("T", P("X", 1))), ('c', Dict(("inner", S(0.1)))));
        yield return Seq(Seq(), Seq(Seq(S(1))), Struct(null, P("D", Dict(("q\"k", S("v\n"))))));
        yield return new LogOpaqueScalar("System.DayOfWeek", "Monday");
        yield return Seq(new LogOpaqueScalar("System.Uri", "http://example.com/a?b=\"c\""), S(1));
    }
}
