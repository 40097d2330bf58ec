using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NLog.Targets;
using Sinks.Mmap;
using Sinks.Mmap.Rendering;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

public class DestructuringTests
{
    public sealed class Cart
    {
        public string[] Items { get; set; } = { "apple", "pear" };
        public double Total { get; set; } = 3.2;
    }

    public sealed class Node
    {
        public string Name { get; set; } = "";
        public Node? Next { get; set; }
        public List<object> Kids { get; } = new();
    }

    public sealed class Awkward
    {
        public int Fine => 1;
        public int Broken => throw new InvalidOperationException("no");
        public int this[int i] => i;
        public string Url => "https://example.com/";
    }

    /// <summary>Logs each (template, value) through the Mmap target and NLog's MemoryTarget side by side.</summary>
    private static (List<MmapEvent> Read, IList<string> NLogMessages) Log(string layout, params (string Template, object? Value)[] events)
    {
        using var dir = new TempLogDir();
        var memory = new MemoryTarget("memory") { Layout = "${message}" };
        var factory = new LogFactory();
        factory.Setup().LoadConfiguration(c =>
        {
            c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = dir.LogPath, Layout = layout });
            c.ForLogger().WriteTo(memory);
        });
        Logger logger = factory.GetLogger("Shop");
        foreach ((string template, object? value) in events)
        {
            logger.Info(template, value);
        }
        factory.Shutdown();
        var reader = new MmapLogReader(dir.LogPath);
        Assert.True(reader.Validate().IsClean);
        return (reader.ReadEvents().ToList(), memory.Logs);
    }

    private static LogValue Property(MmapEvent e, string name)
    {
        Assert.True(e.TryGetProperty(name, out LogValue value), $"property {name} missing");
        return value;
    }

    /// <summary>The core's JSON for a value (what CLEF and the tool write).</summary>
    private static string Json(LogValue value)
    {
        MmapEvent e = new(1, DateTimeOffset.UnixEpoch, MmapLevel.Information, "x", new[] { new LogProperty("V", value) });
        string clef = new ClefWriter().Format(e);
        int start = clef.IndexOf(",\"V\":", StringComparison.Ordinal) + 5;
        return clef.Substring(start, clef.Length - start - 1);
    }

    /// <summary>NLog's JSON for a <c>{@V}</c> hole, with the space NLog puts after each property's comma taken out.</summary>
    private static string NLogJson(string message, string prefix) => message.Substring(prefix.Length).Replace(", \"", ",\"", StringComparison.Ordinal);

    [Fact]
    public void An_at_destructured_anonymous_object_is_stored_as_an_untagged_structure_with_a_sequence_inside()
    {
        var cart = new { Items = new[] { "apple", "pear" }, Total = 3.2 };
        (List<MmapEvent> read, IList<string> nlog) = Log("${message}", ("Cart {@Cart}", cart));
        MmapEvent e = Assert.Single(read);
        var structure = Assert.IsType<LogStructure>(Property(e, "Cart"));
        Assert.Null(structure.TypeTag);
        Assert.Equal(new[] { "Items", "Total" }, structure.Properties.Select(p => p.Name));
        var items = Assert.IsType<LogSequence>(structure.Properties[0].Value);
        Assert.Equal(new object?[] { "apple", "pear" }, items.Elements.Select(x => ((LogScalar)x).Value));
        Assert.Equal(3.2, ((LogScalar)structure.Properties[1].Value).Value);
        // The message is NLog's own, and the stored value writes the JSON NLog wrote in it.
        Assert.Equal("Cart {\"Items\":[\"apple\",\"pear\"], \"Total\":3.2}", nlog[0]);
        Assert.Equal(nlog[0], e.RenderedMessage);
        Assert.Equal(NLogJson(nlog[0], "Cart "), Json(structure));
    }

    [Fact]
    public void An_at_destructured_object_of_a_named_type_is_tagged_with_its_type_name()
    {
        (List<MmapEvent> read, IList<string> nlog) = Log("${message}", ("Cart {@Cart}", new Cart()));
        MmapEvent e = Assert.Single(read);
        var structure = Assert.IsType<LogStructure>(Property(e, "Cart"));
        Assert.Equal("Cart", structure.TypeTag);
        Assert.Equal("{\"Items\":[\"apple\",\"pear\"],\"Total\":3.2,\"$type\":\"Cart\"}", Json(structure));
        Assert.Equal(nlog[0], e.RenderedMessage);
    }

    [Fact]
    public void Without_a_stored_message_the_reader_renders_the_structure_from_the_template()
    {
        var cart = new { Items = new[] { "apple", "pear" }, Total = 3.2 };
        (List<MmapEvent> read, _) = Log("", ("Cart {@Cart}", cart));
        MmapEvent e = Assert.Single(read);
        Assert.Null(e.RenderedMessage);
        Assert.Equal("Cart { Items: [\"apple\", \"pear\"], Total: 3.2 }", MmapEventRenderer.RenderMessage(e, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_dollar_hole_stores_the_values_text()
    {
        var cart = new { Items = new[] { "apple", "pear" }, Total = 3.2 };
        (List<MmapEvent> read, IList<string> nlog) = Log("${message}", ("Cart {$Cart}", cart), ("Total {$Total}", 4.5));
        Assert.Equal("{ Items = System.String[], Total = 3.2 }", Assert.IsType<LogScalar>(Property(read[0], "Cart")).Value);
        Assert.Equal("4.5", Assert.IsType<LogScalar>(Property(read[1], "Total")).Value);
        Assert.Equal(nlog, read.Select(e => e.RenderedMessage!).ToList());
    }

    [Fact]
    public void Destructuring_leaves_out_cycles_and_unreadable_properties_and_stops_at_NLogs_depth_as_NLog_does()
    {
        var a = new Node { Name = "a" };
        var b = new Node { Name = "b", Next = a };
        a.Next = b;
        var deep = new Node { Name = "0" };
        Node current = deep;
        for (int i = 1; i < 14; i++)
        {
            current.Next = new Node { Name = i.ToString(CultureInfo.InvariantCulture) };
            current.Kids.Add(i);
            current.Kids.Add(new Node { Name = "k" + i.ToString(CultureInfo.InvariantCulture) });
            current.Kids.Add(new List<object> { 1, new List<object> { 2 } });
            current = current.Next;
        }
        var selfList = new List<object> { 1 };
        selfList.Add(selfList);
        var dictionary = new Dictionary<string, object> { ["a"] = 1, ["b"] = new[] { 1, 2 } };
        (List<MmapEvent> read, IList<string> nlog) = Log("${message}",
            ("V {@V}", a), ("V {@V}", deep), ("V {@V}", selfList), ("V {@V}", dictionary), ("V {@V}", new Awkward()));
        for (int i = 0; i < read.Count; i++)
        {
            Assert.Equal(nlog[i], read[i].RenderedMessage);
        }
        // Anonymous-free, so untagged JSON is only NLog's when the tag is taken out.
        string Untagged(string json) => json.Replace(",\"$type\":\"Node\"", "", StringComparison.Ordinal).Replace(",\"$type\":\"Awkward\"", "", StringComparison.Ordinal);
        Assert.Equal(NLogJson(nlog[0], "V "), Untagged(Json(Property(read[0], "V"))));
        Assert.Equal(NLogJson(nlog[1], "V "), Untagged(Json(Property(read[1], "V"))));
        Assert.Equal(NLogJson(nlog[2], "V "), Json(Property(read[2], "V")));
        Assert.Equal(NLogJson(nlog[3], "V "), Json(Property(read[3], "V")));
        Assert.Equal(NLogJson(nlog[4], "V "), Untagged(Json(Property(read[4], "V"))));
        Assert.IsType<LogDictionary>(Property(read[3], "V"));
        Assert.Equal(new[] { "Fine", "Url" }, Assert.IsType<LogStructure>(Property(read[4], "V")).Properties.Select(p => p.Name));
    }

    [Fact]
    public void Pre_parsed_template_parameters_keep_their_capture_type()
    {
        using var dir = new TempLogDir();
        var factory = new LogFactory();
        factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = dir.LogPath }));
        var cart = new { Items = new[] { "apple" }, Total = 1.5 };
        // What NLog.Extensions.Logging hands NLog: the parameters already parsed, no positional array.
        var e = new LogEventInfo(LogLevel.Info, "Shop", "Cart {@Cart} as {$Text}", new[]
        {
            new NLog.MessageTemplates.MessageTemplateParameter("Cart", cart, null, NLog.MessageTemplates.CaptureType.Serialize),
            new NLog.MessageTemplates.MessageTemplateParameter("Text", cart, null, NLog.MessageTemplates.CaptureType.Stringify),
        });
        factory.GetLogger("Shop").Log(e);
        factory.Shutdown();
        MmapEvent read = Assert.Single(new MmapLogReader(dir.LogPath).ReadEvents());
        Assert.IsType<LogStructure>(Property(read, "Cart"));
        Assert.Equal(cart.ToString(), Assert.IsType<LogScalar>(Property(read, "Text")).Value);
    }

    public enum Shade { Light, Dark }

    public struct Point
    {
        public int X { get; set; }
        public int Y { get; set; }
    }

    /// <summary>One public property of every scalar type the format has a tag for, and a few that are not scalars.</summary>
    public sealed class EveryScalar
    {
        public int Int { get; } = -42;
        public long Long { get; } = long.MinValue;
        public double Double { get; } = 0.1;
        public bool Bool { get; } = true;
        public DateTimeOffset Offset { get; } = new(2026, 12, 6, 7, 30, 0, TimeSpan.FromHours(-5));
        public DateTime Time { get; } = new(2026, 12, 6, 7, 30, 0, DateTimeKind.Utc);
        public TimeSpan Span { get; } = TimeSpan.FromMilliseconds(1500);
        public Guid Id { get; } = new("0f8fad5b-d9cb-469f-a165-70867728950e");
        public decimal Money { get; } = 79228162514264337593543950335m;
        public float Single { get; } = 1.25f;
        public short Short { get; } = short.MinValue;
        public ushort UShort { get; } = ushort.MaxValue;
        public uint UInt { get; } = uint.MaxValue;
        public ulong ULong { get; } = ulong.MaxValue;
        public byte Byte { get; } = 200;
        public sbyte SByte { get; } = -100;
        public char Char { get; } = 'é';
        public DateOnly Day { get; } = new(2026, 12, 6);
        public TimeOnly Clock { get; } = new(7, 30, 15);
        public Shade Shade { get; } = Shade.Dark;
        public int? Maybe { get; } = 7;
        public int? Nothing { get; }
        public Point Where { get; } = new() { X = 1, Y = 2 };
    }

    [Fact]
    public void A_destructured_objects_scalar_properties_keep_their_CLR_types_and_values()
    {
        var expected = new EveryScalar();
        (List<MmapEvent> read, _) = Log("", ("V {@V}", expected));
        var structure = Assert.IsType<LogStructure>(Property(Assert.Single(read), "V"));
        var byName = structure.Properties.ToDictionary(p => p.Name, p => p.Value);
        foreach (System.Reflection.PropertyInfo property in typeof(EveryScalar).GetProperties())
        {
            object? value = property.GetValue(expected);
            if (value is null)
            {
                // NLog leaves a null property out.
                Assert.False(byName.ContainsKey(property.Name), property.Name);
                continue;
            }
            if (property.Name == nameof(EveryScalar.Where))
            {
                var point = Assert.IsType<LogStructure>(byName[property.Name]);
                Assert.Equal(new[] { "X", "Y" }, point.Properties.Select(p => p.Name));
                Assert.Equal(new object?[] { 1, 2 }, point.Properties.Select(p => Assert.IsType<LogScalar>(p.Value).Value));
                continue;
            }
            object? stored = Assert.IsType<LogScalar>(byName[property.Name]).Value;
            if (stored is LogEnumValue enumValue) stored = enumValue.Name;
            object? want = value is Enum e ? e.ToString() : value;
            Assert.True(Equals(want, stored), $"{property.Name}: wrote {want} ({want!.GetType().Name}), read {stored} ({stored?.GetType().Name})");
        }
        Assert.Equal(typeof(EveryScalar).GetProperties().Length - 1, structure.Properties.Count);
    }

    public sealed class Wide
    {
        public int P01 { get; } = 1; public int P02 { get; } = 2; public int P03 { get; } = 3; public int P04 { get; } = 4;
        public int P05 { get; } = 5; public int P06 { get; } = 6; public int P07 { get; } = 7; public int P08 { get; } = 8;
        public int P09 { get; } = 9; public int P10 { get; } = 10; public int P11 { get; } = 11; public int P12 { get; } = 12;
        public int P13 { get; } = 13; public int P14 { get; } = 14; public int P15 { get; } = 15; public int P16 { get; } = 16;
        public string P17 { get; } = "seventeen"; public int P18 { get; } = 18; public string? P19 { get; } = null;
        public Wide? P20 { get; set; }
    }

    [Fact]
    public void An_object_with_more_properties_than_fit_on_the_stack_is_destructured_as_NLog_does()
    {
        var wide = new Wide { P20 = new Wide() };
        (List<MmapEvent> read, IList<string> nlog) = Log("${message}", ("V {@V}", wide));
        MmapEvent e = Assert.Single(read);
        Assert.Equal(nlog[0], e.RenderedMessage);
        string Untagged(string json) => json.Replace(",\"$type\":\"Wide\"", "", StringComparison.Ordinal);
        Assert.Equal(NLogJson(nlog[0], "V "), Untagged(Json(Property(e, "V"))));
        var structure = Assert.IsType<LogStructure>(Property(e, "V"));
        Assert.Equal(19, structure.Properties.Count);
        Assert.Equal(18, Assert.IsType<LogStructure>(structure.Properties[^1].Value).Properties.Count);
    }

    [Fact]
    public void A_destructured_struct_is_read_in_place_and_its_getters_throwing_leave_out_only_their_property()
    {
        (List<MmapEvent> read, IList<string> nlog) = Log("${message}", ("P {@P}", new Point { X = 3, Y = -4 }), ("A {@A}", new Awkward()));
        var point = Assert.IsType<LogStructure>(Property(read[0], "P"));
        Assert.Equal("Point", point.TypeTag);
        Assert.Equal(new object?[] { 3, -4 }, point.Properties.Select(p => Assert.IsType<LogScalar>(p.Value).Value));
        Assert.Equal(nlog[0], read[0].RenderedMessage);
        Assert.Equal(new[] { "Fine", "Url" }, Assert.IsType<LogStructure>(Property(read[1], "A")).Properties.Select(p => p.Name));
    }
}
