using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Sinks.Mmap.Rendering;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Rendering;

/// <summary>
/// Readers render in the invariant culture whatever the reading thread's culture: a log reads the same
/// on every machine, as Serilog wrote it with the invariant culture (issue 15: under de-DE, dictionary
/// keys came out as <c>1,5</c> and dates as <c>21.11.2026 10:00:00</c>).
/// </summary>
public sealed class CultureTests
{
    private static readonly DateTime When = new(2026, 11, 21, 10, 0, 0);

    private static MmapEvent ReadBack()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            var e = new CustomEvent(new EventHeader { MessageTemplate = "{Map} {Ratio} at {When}", PropertyCount = 3 }, static (ref EventWriter w) =>
            {
                w.WritePropertyName("Map");
                w.BeginDictionary(3);
                w.WriteDouble(1.5);
                w.WriteString("a");
                w.WriteDateTime(When);
                w.WriteString("b");
                w.WriteDecimal(1234.5m);
                w.WriteString("c");
                w.WritePropertyName("Ratio");
                w.WriteDouble(0.25);
                w.WritePropertyName("When");
                w.WriteDateTime(When);
            });
            Assert.True(writer.Append(When.Ticks, MmapLevel.Information, ref e));
        }
        return new MmapLogReader(log.Path_).ReadEvents().Single();
    }

    private static string[] RenderAll(MmapEvent e) => new[]
    {
        new OutputTemplateFormatter().Format(e),
        new OutputTemplateFormatter("{Message:j} {Map} {When}").Format(e),
        new ClefWriter(includeRenderedMessage: true).Format(e),
        MmapEventRenderer.RenderMessage(e),
    };

    private static string[] RenderIn(CultureInfo culture, MmapEvent e)
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            return RenderAll(e);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = saved;
        }
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    [InlineData("en-US")]
    [InlineData("ar-SA")]
    public void Every_renderer_writes_keys_numbers_and_dates_in_the_invariant_culture_whatever_the_current_one(string name)
    {
        MmapEvent e = ReadBack();
        string[] invariant = RenderIn(CultureInfo.InvariantCulture, e);

        string[] local = RenderIn(CultureInfo.GetCultureInfo(name), e);

        Assert.Equal(invariant, local);
        Assert.EndsWith("[INF] {\"1.5\":\"a\",\"11/21/2026 10:00:00\":\"b\",\"1234.5\":\"c\"} 0.25 at \"2026-11-21T10:00:00.0000000\"\n", local[0]);
        Assert.EndsWith(" [(1.5: \"a\"), (11/21/2026 10:00:00: \"b\"), (1234.5: \"c\")] 11/21/2026 10:00:00", local[1]);
        Assert.Contains("\"Map\":{\"1.5\":\"a\"", local[2]);
    }
}
