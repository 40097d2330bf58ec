using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Sinks.Mmap;
using NLog.Targets.Mmap.Translation;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

/// <summary>
/// With the default <c>${message}</c> layout the target renders common structured messages itself;
/// what it stores must be exactly what NLog renders, for every event, whichever way it was produced.
/// </summary>
public class MessageRenderingTests
{
    public static IEnumerable<object[]> Cases() => new[]
    {
        new object[] { "User {UserId} logged in from {Ip} after {Elapsed} ms", new object?[] { 42, "10.0.0.1", 12.5 } },
        new object[] { "Negative {A} {B} {C} {D}", new object?[] { -7, -9_000_000_000L, (short)-3, (sbyte)-1 } },
        new object[] { "Unsigned {A} {B} {C} {D}", new object?[] { 7u, ulong.MaxValue, (ushort)65535, (byte)255 } },
        new object[] { "Doubles {A} {B} {C} {D} {E} {F}", new object?[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 1e20, 1.0 / 3 } },
        new object[] { "Float {A} decimal {B} {C}", new object?[] { 1.25f, 12.50m, -0.001m } },
        new object[] { "Flags {A} {B}", new object?[] { true, false } },
        new object[] { "Guid {A}", new object?[] { new Guid("0f8fad5b-d9cb-469f-a165-70867728950e") } },
        new object[] { "Quotes {A} and braces {B}", new object?[] { "say \"hi\" \\ there", "{x}" } },
        new object[] { "Escaped {{literal}} then {A}}} end", new object?[] { 1 } },
        new object[] { "Repeated {A} and {A}", new object?[] { 1, 2 } },
        new object[] { "Empty string [{A}]", new object?[] { "" } },
        new object[] { "{A}{B}", new object?[] { "x", 2 } },
        new object[] { "Format {A:0.00} align {B,6}", new object?[] { 1.0, 2 } },
        new object[] { "Serialize {@A} stringify {$B}", new object?[] { new { X = 1 }, new[] { 1, 2 } } },
        new object[] { "Positional {0} {1}", new object?[] { "s", 2.5 } },
        new object[] { "Null {A} enum {B} date {C}", new object?[] { null, DayOfWeek.Monday, new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc) } },
        new object[] { "Too few {A} {B}", new object?[] { 1 } },
        new object[] { "Too many {A}", new object?[] { 1, 2 } },
        new object[] { "Char {A} list {B}", new object?[] { 'c', new List<int> { 1, 2 } } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_stored_message_is_what_NLog_renders(string template, object?[] parameters)
    {
        AssertStoredMessagesMatchNLog(CultureInfo.InvariantCulture, template, parameters);
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("en-US")]
    [InlineData("fr-FR")]
    [InlineData("ar-SA")]
    public void The_stored_message_is_what_NLog_renders_in_other_cultures(string cultureName)
    {
        foreach (object[] c in Cases())
        {
            AssertStoredMessagesMatchNLog(CultureInfo.GetCultureInfo(cultureName), (string)c[0], (object?[])c[1]);
        }
    }

    [Fact]
    public void In_a_culture_whose_minus_sign_is_not_ASCII_NLog_renders_the_message()
    {
        CultureInfo? culture = CultureInfo.GetCultures(CultureTypes.SpecificCultures).FirstOrDefault(c => c.NumberFormat.NegativeSign != "-");
        if (culture is null)
        {
            return; // This machine's ICU has no such culture; the other cultures still run.
        }
        AssertStoredMessagesMatchNLog(culture, "Negative {A} {B}", new object?[] { -7, -1.5 });
    }

    [Fact]
    public void A_structured_message_with_scalar_parameters_is_rendered_without_NLog_after_the_first_check()
    {
        using var dir = new TempLogDir();
        var factory = new LogFactory();
        factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = dir.LogPath }));
        try
        {
            Logger logger = factory.GetLogger("L");
            const string template = "Checked {Id} at {Rate}";
            logger.Info(template, 1, 0.5);
            var second = LogEventInfo.Create(LogLevel.Info, "L", null, template, new object[] { 2, 1.5 });
            logger.Log(second);
            // The target never asked NLog to format the second event: its check of the first one vouched for it.
            Assert.True(MessageTemplateCache.Get(template).Checked!.Agrees);
            Assert.True(MessageTemplateCache.Get(template).Checked!.Plain);
            Assert.True(EventPropertiesProbe.IsAvailable);
            Assert.False(EventPropertiesProbe.MayHaveOwnProperties(second));
            factory.Flush();
            Assert.Equal(new[] { "Checked 1 at 0.5", "Checked 2 at 1.5" }, new MmapLogReader(dir.LogPath).ReadEvents().Select(e => e.RenderedMessage));
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Theory]
    [InlineData("en-US")]
    [InlineData("de-DE")]
    [InlineData("")]
    public void Later_events_with_the_same_types_but_other_values_than_the_checked_one_render_as_NLog_does(string cultureName)
    {
        var culture = CultureInfo.GetCultureInfo(cultureName);
        AssertStoredMessagesMatchNLog(culture, "Values {I} {L} {D} {F} {M} {B} {S}",
            new object?[] { 1, 1L, 1.0, 1f, 1m, true, "a" },
            new object?[] { -1, long.MinValue, double.NaN, float.NegativeInfinity, -79228162514264337593543950335m, false, "" },
            new object?[] { int.MinValue, -1L, double.NegativeInfinity, -0f, 0.0000001m, true, "\"quoted\" {braces}" },
            new object?[] { 0, 0L, 1.7976931348623157e308, float.Epsilon, 1e-28m, false, "ünïcødé 😀" },
            new object?[] { 5, 5L, -1e-300, float.NaN, 123456789.123456789m, true, new string('x', 1000) });
    }

    [Theory]
    [InlineData("en-US")]
    [InlineData("de-DE")]
    [InlineData("")]
    public void An_event_whose_parameters_are_of_other_types_than_the_checked_ones_is_not_taken_for_them(string cultureName)
    {
        // Every other event breaks the check the one before it passed, with a parameter of another type: one the
        // renderer formats, one it leaves to NLog, or null. Every stored message must still be NLog's.
        var culture = CultureInfo.GetCultureInfo(cultureName);
        var date = new DateTime(2026, 12, 7, 10, 0, 0, DateTimeKind.Utc);
        object?[][] others =
        {
            new object?[] { date, 2.5 }, new object?[] { 1, date }, new object?[] { 1, 2.50m }, new object?[] { 1, double.NaN },
            new object?[] { 1L, 2.5f }, new object?[] { 'c', 2.5 }, new object?[] { null, 2.5 }, new object?[] { DayOfWeek.Monday, 2.5 },
            new object?[] { 1u, 2.5 }, new object?[] { new Version(1, 2), 2.5 }, new object?[] { 1, TimeSpan.FromSeconds(1) },
        };
        var events = new List<object?[]>();
        foreach (object?[] other in others)
        {
            events.Add(new object?[] { 7, 1.25 });
            events.Add(other);
        }
        AssertStoredMessagesMatchNLog(culture, "Kinds {A} {B}", events.ToArray());
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("en-US", false)]
    [InlineData("de-DE", true)]
    public void The_rendered_text_is_stored_only_when_readers_could_not_rebuild_it_from_the_template(string cultureName, bool stored)
    {
        using var dir = new TempLogDir();
        var factory = new LogFactory();
        factory.Setup().LoadConfiguration(c =>
        {
            c.Configuration.DefaultCultureInfo = CultureInfo.GetCultureInfo(cultureName);
            c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = dir.LogPath });
        });
        try
        {
            Logger logger = factory.GetLogger("L");
            for (int i = 0; i < 3; i++)
            {
                logger.Info("Stored? {UserId} from {Ip} after {Elapsed} ms", 40 + i, "10.0.0.1", 12.5);
            }
            factory.Flush();
            string expected = cultureName == "de-DE" ? "Stored? 42 from 10.0.0.1 after 12,5 ms" : "Stored? 42 from 10.0.0.1 after 12.5 ms";
            Assert.Equal(expected, new MmapLogReader(dir.LogPath).ReadEvents().Last().RenderedMessage);
            // A decimal comma is not the invariant rendering readers use, so there the text itself is kept.
            byte[] text = System.Text.Encoding.UTF8.GetBytes(expected);
            Assert.Equal(stored, dir.SegmentFiles().Any(f => System.IO.File.ReadAllBytes(f).AsSpan().IndexOf(text) >= 0));
        }
        finally
        {
            factory.Shutdown();
        }
    }

    private static void AssertStoredMessagesMatchNLog(CultureInfo culture, string template, object?[] parameters) =>
        AssertStoredMessagesMatchNLog(culture, template, parameters, parameters, parameters);

    private static void AssertStoredMessagesMatchNLog(CultureInfo culture, string template, params object?[][] parameterSets)
    {
        using var dir = new TempLogDir();
        var factory = new LogFactory();
        factory.Setup().LoadConfiguration(c =>
        {
            c.Configuration.DefaultCultureInfo = culture;
            c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = dir.LogPath });
        });
        var logged = new List<LogEventInfo>();
        try
        {
            Logger logger = factory.GetLogger("L");
            // The first event is checked against NLog; the others take whichever route the check chose.
            foreach (object?[] parameters in parameterSets)
            {
                var e = LogEventInfo.Create(LogLevel.Info, "L", null, template, (object?[])parameters.Clone());
                logger.Log(e);
                logged.Add(e);
            }
            factory.Flush();
            var read = new MmapLogReader(dir.LogPath).ReadEvents().ToList();
            Assert.Equal(parameterSets.Length, read.Count);
            for (int i = 0; i < parameterSets.Length; i++)
            {
                Assert.Equal(logged[i].FormattedMessage, read[i].RenderedMessage);
            }
        }
        finally
        {
            factory.Shutdown();
        }
    }
}
