using System;
using System.IO;
using Serilog.Core;
using Serilog.Sinks.Mmap.Reading;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Reading;

public class TextRenderingTests
{
    private static void LogSome(Logger logger)
    {
        logger.Information("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);
        logger.Warning("Cart {@Cart} with {Count:000} items and {Tags}", new { Total = 3.5m, Items = new[] { "a", "b" } }, 7, new[] { "x", "y" });
        logger.ForContext("SourceContext", "Shop").Error(new InvalidOperationException("boom"), "Order {OrderId} failed on {When}", Guid.Empty, new DateTime(2026, 11, 21));
        logger.Debug("Escaped {{braces}} and a {Missing} token");
    }

    [Theory]
    [InlineData(MmapLogText.DefaultOutputTemplate)]
    [InlineData("{Timestamp:o} {Level:w3} {SourceContext} {Message} {Properties:j}{NewLine}{Exception}")]
    public void Text_read_back_is_what_the_file_sink_writes_for_the_same_events(string outputTemplate)
    {
        using var log = new TempFolder();
        string textPath = Path.Combine(log.Path, "file.txt");
        using (Logger logger = new LoggerConfiguration().MinimumLevel.Verbose()
                   .WriteTo.File(textPath, outputTemplate: outputTemplate)
                   .WriteTo.Mmap(log.LogPath, fileSizeLimitBytes: 1 << 20)
                   .CreateLogger())
        {
            LogSome(logger);
        }
        var rendered = new StringWriter();
        MmapLogText.Write(log.LogPath, rendered, outputTemplate);
        Assert.Equal(System.IO.File.ReadAllText(textPath), rendered.ToString());
    }

    [Fact]
    public void The_default_output_template_is_the_file_sinks()
    {
        Assert.Equal("{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}", MmapLogText.DefaultOutputTemplate);
    }
}
