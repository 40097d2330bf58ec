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
}
