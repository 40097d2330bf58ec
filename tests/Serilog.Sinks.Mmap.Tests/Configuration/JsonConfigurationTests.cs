using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Settings.Configuration;
using Serilog.Sinks.Mmap.Sinks;
using Sinks.Mmap;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Configuration;

public class JsonConfigurationTests
{
    private static Logger FromJson(string args, out MmapSink? sink, string extra = "")
    {
        string json = $$"""
            { "Serilog": {
                "Using": ["Serilog.Sinks.Mmap"],
                "MinimumLevel": "Verbose",
                {{extra}}
                "WriteTo": [{ "Name": "Mmap", "Args": { {{args}} } }]
            } }
            """;
        IConfigurationRoot configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        MmapSink? created = null;
        MmapSink.CreatedForTests.Value = s => created = s;
        try
        {
            var options = new ConfigurationReaderOptions(typeof(MmapLoggerConfigurationExtensions).Assembly);
            Logger logger = new LoggerConfiguration().ReadFrom.Configuration(configuration, options).CreateLogger();
            sink = created;
            return logger;
        }
        finally
        {
            MmapSink.CreatedForTests.Value = null;
        }
    }

    private static MmapLogOptions OptionsFromJson(TempFolder log, string moreArgs)
    {
        using Logger logger = FromJson($"\"path\": {log.JsonPath}, {moreArgs}", out MmapSink? sink);
        Assert.NotNull(sink);
        return sink!.Writer.Options;
    }

    [Fact]
    public void The_path_from_json_is_where_the_segments_are_written()
    {
        using var log = new TempFolder();
        using (Logger logger = FromJson($"\"path\": {log.JsonPath}", out _))
        {
            logger.Information("Hello {Name}", "json");
        }
        Assert.Single(log.Segments());
        Assert.Equal("Hello {Name}", new MmapLogReader(log.LogPath).ReadEvents().Single().MessageTemplate);
    }

    [Fact]
    public void FileSizeLimitBytes_from_json_sets_the_preallocated_segment_size()
    {
        using var log = new TempFolder();
        using Logger logger = FromJson($"\"path\": {log.JsonPath}, \"fileSizeLimitBytes\": 65536", out MmapSink? sink);
        Assert.Equal(65536, new FileInfo(sink!.Writer.CurrentSegmentPath!).Length);
    }

    [Fact]
    public void RestrictedToMinimumLevel_from_json_filters_lower_levels()
    {
        using var log = new TempFolder();
        using (Logger logger = FromJson($"\"path\": {log.JsonPath}, \"restrictedToMinimumLevel\": \"Warning\"", out _))
        {
            logger.Information("dropped");
            logger.Warning("kept");
        }
        Assert.Equal(new[] { "kept" }, new MmapLogReader(log.LogPath).ReadEvents().Select(e => e.MessageTemplate).ToArray());
    }

    [Fact]
    public void LevelSwitch_from_json_controls_the_sink_at_run_time()
    {
        using var log = new TempFolder();
        using (Logger logger = FromJson($"\"path\": {log.JsonPath}, \"levelSwitch\": \"$mmapSwitch\"", out _, "\"LevelSwitches\": { \"$mmapSwitch\": \"Error\" },"))
        {
            logger.Warning("dropped");
            logger.Error("kept");
        }
        Assert.Equal(new[] { "kept" }, new MmapLogReader(log.LogPath).ReadEvents().Select(e => e.MessageTemplate).ToArray());
    }

    [Fact]
    public void RollingInterval_from_json_rolls_by_the_clock_so_events_stamped_in_later_minutes_stay_in_the_current_segment()
    {
        using var log = new TempFolder();
        var parser = new MessageTemplateParser();
        // As Serilog.Sinks.File: the writer's clock, not the event's timestamp, says when a period ends.
        var start = DateTimeOffset.UtcNow.AddMinutes(1);
        using (Logger logger = FromJson($"\"path\": {log.JsonPath}, \"rollingInterval\": \"Minute\"", out _))
        {
            for (int minute = 0; minute < 3; minute++)
            {
                logger.Write(new LogEvent(start.AddMinutes(minute), LogEventLevel.Information, null, parser.Parse("tick"), Array.Empty<LogEventProperty>()));
            }
        }
        string[] segmentsHoldingEvents = new MmapLogReader(log.LogPath).ReadRecords()
            .Where(r => r.Kind == MmapRecordKind.Event).Select(r => r.SegmentPath).Distinct().ToArray();
        Assert.Single(segmentsHoldingEvents);
        Assert.Equal(3, new MmapLogReader(log.LogPath).ReadEvents().Count());
        Assert.Equal(global::Sinks.Mmap.SegmentInterval.Minute, OptionsFromJson(log, "\"rollingInterval\": \"Minute\"").RollingInterval);
    }

    [Theory]
    [InlineData("\"retainedFileCountLimit\": 5", nameof(MmapLogOptions.RetainedFileCountLimit), "5")]
    [InlineData("\"retainedFileCountLimit\": null", nameof(MmapLogOptions.RetainedFileCountLimit), "")]
    [InlineData("\"retainedFileTimeLimit\": \"7.00:00:00\"", nameof(MmapLogOptions.RetainedFileTimeLimit), "7.00:00:00")]
    [InlineData("\"retainedTotalSizeLimitBytes\": 1073741824", nameof(MmapLogOptions.RetainedTotalSizeLimitBytes), "1073741824")]
    [InlineData("\"flushToDiskInterval\": \"00:00:02\"", nameof(MmapLogOptions.FlushToDiskInterval), "00:00:02")]
    [InlineData("\"flushToDiskLevel\": \"Error\"", nameof(MmapLogOptions.FlushToDiskLevel), "Error")]
    [InlineData("\"flushToDiskLevel\": \"Off\"", nameof(MmapLogOptions.FlushToDiskLevel), "")]
    [InlineData("\"retryInterval\": \"00:00:05\"", nameof(MmapLogOptions.RetryInterval), "00:00:05")]
    [InlineData("\"rollingInterval\": \"Day\"", nameof(MmapLogOptions.RollingInterval), "Day")]
    [InlineData("\"fileSizeLimitBytes\": 1048576", nameof(MmapLogOptions.SegmentSizeBytes), "1048576")]
    public void Every_option_from_json_reaches_the_writer(string arg, string option, string expected)
    {
        using var log = new TempFolder();
        MmapLogOptions options = OptionsFromJson(log, arg);
        object? value = typeof(MmapLogOptions).GetProperty(option, BindingFlags.Public | BindingFlags.Instance)!.GetValue(options);
        Assert.Equal(expected, value?.ToString() ?? "");
    }

    [Fact]
    public void Defaults_match_the_file_sink_where_the_meaning_is_the_same()
    {
        using var log = new TempFolder();
        MmapLogOptions options = OptionsFromJson(log, "\"rollingInterval\": \"Infinite\"");
        Assert.Equal(31, options.RetainedFileCountLimit);
        Assert.Null(options.RetainedFileTimeLimit);
        Assert.Null(options.FlushToDiskInterval);
        Assert.Equal(MmapLevel.Fatal, options.FlushToDiskLevel);
        Assert.Equal(MmapLogOptions.DefaultSegmentSize, options.SegmentSizeBytes);
    }

    [Theory]
    [InlineData("\"fileSizeLimitBytes\": 100", "fileSizeLimitBytes", "4096")]
    [InlineData("\"fileSizeLimitBytes\": 4097", "fileSizeLimitBytes", "multiple of 8")]
    [InlineData("\"retainedFileCountLimit\": 0", "retainedFileCountLimit", "at least 1")]
    [InlineData("\"retainedFileTimeLimit\": \"-00:00:01\"", "retainedFileTimeLimit", "greater than zero")]
    [InlineData("\"retainedTotalSizeLimitBytes\": 1000", "retainedTotalSizeLimitBytes", "twice the segment size")]
    [InlineData("\"flushToDiskInterval\": \"00:00:00\"", "flushToDiskInterval", "1 ms to 1 day")]
    [InlineData("\"retryInterval\": \"00:00:00.001\"", "retryInterval", "10 ms to 1 hour")]
    [InlineData("\"flushToDiskLevel\": 42", "flushToDiskLevel", "Fatal or Off")]
    [InlineData("\"flushToDiskLevel\": \"Loud\"", "flushToDiskLevel", "Fatal or Off")]
    public void A_wrong_value_from_json_fails_naming_the_option_and_the_allowed_values(string arg, string option, string allowed)
    {
        using var log = new TempFolder();
        Exception ex = Assert.ThrowsAny<Exception>(() => FromJson($"\"path\": {log.JsonPath}, {arg}", out _).Dispose());
        while (ex is TargetInvocationException { InnerException: { } inner }) ex = inner;
        ArgumentException argument = Assert.IsAssignableFrom<ArgumentException>(ex);
        Assert.True(option == argument.ParamName, ex.ToString());
        Assert.Contains(allowed, argument.Message);
    }

    [Fact]
    public void An_empty_path_fails_naming_the_path_option()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LoggerConfiguration().WriteTo.Mmap(""));
        Assert.Equal("path", ex.ParamName);
    }

    [Fact]
    public void A_wrong_value_in_code_names_the_parameter_not_the_core_property()
    {
        using var log = new TempFolder();
        var ex = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new LoggerConfiguration().WriteTo.Mmap(log.LogPath, fileSizeLimitBytes: 1000));
        Assert.Equal("fileSizeLimitBytes", ex.ParamName);
        Assert.StartsWith("fileSizeLimitBytes (the segment size) must be a multiple of 8", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(MmapLogOptions.SegmentSizeBytes), ex.Message, StringComparison.Ordinal);
    }
}
