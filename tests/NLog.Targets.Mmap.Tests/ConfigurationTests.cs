using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NLog.Config;
using Sinks.Mmap;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

public class ConfigurationTests
{
    public static IEnumerable<object[]> Sources => new[] { new object[] { "xml" }, new object[] { "appsettings" } };

    private static LogFactory Load(string source, IDictionary<string, string> options, bool throwConfigExceptions = true) =>
        source == "xml" ? NLogConfigs.FromXml(options, throwConfigExceptions) : NLogConfigs.FromAppSettings(options, throwConfigExceptions);

    [Theory]
    [MemberData(nameof(Sources))]
    public void Every_option_is_read_from_configuration_and_honoured(string source)
    {
        using var dir = new TempLogDir();
        var factory = Load(source, new Dictionary<string, string>
        {
            ["fileName"] = dir.LogPath,
            ["archiveAboveSize"] = "65536",
            ["archiveEvery"] = "Hour",
            ["maxArchiveFiles"] = "5",
            ["maxArchiveDays"] = "7",
            ["maxTotalSizeBytes"] = "1048576",
            ["flushToDiskInterval"] = "00:00:02",
            ["flushToDiskLevel"] = "Error",
            ["retryInterval"] = "00:00:05",
            ["layout"] = "${level}|${message}",
            ["includeEventProperties"] = "false",
            ["includeScopeProperties"] = "true",
        });
        try
        {
            MmapTarget target = factory.Target();
            Assert.Equal(65536, target.ArchiveAboveSize);
            Assert.Equal(FileArchivePeriod.Hour, target.ArchiveEvery);
            Assert.Equal(5, target.MaxArchiveFiles);
            Assert.Equal(7, target.MaxArchiveDays);
            Assert.Equal(1048576, target.MaxTotalSizeBytes);
            Assert.Equal(TimeSpan.FromSeconds(2), target.FlushToDiskInterval);
            Assert.Equal(LogLevel.Error, target.FlushToDiskLevel);
            Assert.Equal(TimeSpan.FromSeconds(5), target.RetryInterval);
            Assert.False(target.IncludeEventProperties);
            Assert.True(target.IncludeScopeProperties);

            MmapLogOptions options = target.BuildOptions();
            Assert.Equal(dir.LogPath, options.Path);
            Assert.Equal(65536, options.SegmentSizeBytes);
            Assert.Equal(SegmentInterval.Hour, options.RollingInterval);
            Assert.Equal(6, options.RetainedFileCountLimit); // five archives plus the file being written
            Assert.Equal(TimeSpan.FromDays(7), options.RetainedFileTimeLimit);
            Assert.Equal(1048576, options.RetainedTotalSizeLimitBytes);
            Assert.Equal(TimeSpan.FromSeconds(2), options.FlushToDiskInterval);
            Assert.Equal(MmapLevel.Error, options.FlushToDiskLevel);
            Assert.Equal(TimeSpan.FromSeconds(5), options.RetryInterval);

            // The resulting file: a segment preallocated at ArchiveAboveSize, holding the layout's output.
            Assert.Equal(dir.LogPath, target.ResolvedFileName);
            // The next segment may already be prepared beside it: the one being written is the current one.
            string segment = target.CurrentSegmentPath!;
            Assert.Contains(segment, dir.SegmentFiles());
            Assert.Equal(65536, new FileInfo(segment).Length);
            factory.GetLogger("Cfg").Warn("Hello {Name}", "World");
            var logged = Assert.Single(new MmapLogReader(dir.LogPath).ReadEvents());
            Assert.Equal("Warn|Hello World", logged.RenderedMessage);
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Defaults_match_the_documented_values(string source)
    {
        using var dir = new TempLogDir();
        var factory = Load(source, new Dictionary<string, string> { ["fileName"] = dir.LogPath });
        try
        {
            MmapTarget target = factory.Target();
            MmapLogOptions options = target.BuildOptions();
            Assert.Equal(64L * 1024 * 1024, options.SegmentSizeBytes);
            Assert.Equal(SegmentInterval.Infinite, options.RollingInterval);
            Assert.Equal(31, options.RetainedFileCountLimit);
            Assert.Null(options.RetainedFileTimeLimit);
            Assert.Null(options.RetainedTotalSizeLimitBytes);
            Assert.Null(options.FlushToDiskInterval);
            Assert.Equal(MmapLevel.Fatal, options.FlushToDiskLevel);
            Assert.Equal(TimeSpan.FromSeconds(1), options.RetryInterval);
            Assert.True(target.IncludeEventProperties);
            Assert.False(target.IncludeScopeProperties);
            Assert.Equal("${message}", target.Layout.ToString());
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Millisecond_aliases_Off_and_negative_limits_are_understood(string source)
    {
        using var dir = new TempLogDir();
        var factory = Load(source, new Dictionary<string, string>
        {
            ["fileName"] = dir.LogPath,
            ["archiveAboveSize"] = "65536",
            ["flushToDiskIntervalMs"] = "250",
            ["retryIntervalMs"] = "50",
            ["flushToDiskLevel"] = "Off",
            ["maxArchiveFiles"] = "-1",
        });
        try
        {
            MmapLogOptions options = factory.Target().BuildOptions();
            Assert.Equal(TimeSpan.FromMilliseconds(250), options.FlushToDiskInterval);
            Assert.Equal(TimeSpan.FromMilliseconds(50), options.RetryInterval);
            Assert.Null(options.FlushToDiskLevel);
            Assert.Null(options.RetainedFileCountLimit);
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Theory]
    [InlineData("maxArchiveFiles", "2")]
    [InlineData("maxTotalSizeBytes", "16384")]
    public void Retention_limits_are_honoured_in_the_files_left_on_disk(string key, string value)
    {
        using var dir = new TempLogDir();
        var factory = NLogConfigs.FromXml(new Dictionary<string, string>
        {
            ["fileName"] = dir.LogPath,
            ["archiveAboveSize"] = "4096",
            ["maxArchiveFiles"] = "-1",
            [key] = value,
        });
        try
        {
            var logger = factory.GetLogger("Retention");
            for (int i = 0; i < 400; i++)
            {
                logger.Info("Event {Index} padded with {Padding}", i, "................................");
            }
            // About ten segments were written. The writer's background thread deletes old ones after each
            // rotation; the segment being written and the next one (prepared in advance) are never deleted,
            // and the last deletion pass may precede the preparation of the next segment: allow for both.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            // Files may be deleted while being looked at: count a vanished one as empty.
            static long Length(string f) { var info = new FileInfo(f); return info.Exists ? info.Length : 0; }
            bool WithinLimit(string[] f) => key == "maxArchiveFiles" ? f.Length <= 2 + 3 : f.Sum(Length) <= 16384 + 2 * 4096;
            while (!WithinLimit(dir.SegmentFiles()) && DateTime.UtcNow < deadline)
            {
                System.Threading.Thread.Sleep(20);
            }
            string[] files = dir.SegmentFiles();
            string listing = string.Join(", ", files.Select(f => Path.GetFileName(f) + ":" + Length(f)));
            Assert.True(WithinLimit(files), listing);
            Assert.All(files, f => Assert.True(Length(f) <= 4096, "ArchiveAboveSize caps each segment"));
            // The newest events survive; the oldest went with their segments.
            var indexes = new MmapLogReader(dir.LogPath).ReadEvents().Select(e => Convert.ToInt64(((LogScalar)e.Properties[0].Value).Value)).ToList();
            Assert.Equal(399, indexes[^1]);
            Assert.True(indexes[0] > 100, $"oldest remaining event {indexes[0]}");
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Theory]
    [InlineData("Minute", SegmentInterval.Minute)]
    [InlineData("Hour", SegmentInterval.Hour)]
    [InlineData("None", SegmentInterval.Infinite)]
    public void ArchiveEvery_rolls_by_the_clock_so_an_event_stamped_hours_ahead_stays_in_the_current_segment(string period, SegmentInterval interval)
    {
        using var dir = new TempLogDir();
        var factory = NLogConfigs.FromXml(new Dictionary<string, string>
        {
            ["fileName"] = dir.LogPath,
            ["archiveAboveSize"] = "65536",
            ["archiveEvery"] = period,
        });
        try
        {
            Assert.Equal(interval, factory.Target().BuildOptions().RollingInterval);
            var logger = factory.GetLogger("Rolling");
            logger.Info("now");
            // A clock that lies (or a replayed event) must not move the period on: the writer's own clock has not got there.
            var later = new LogEventInfo(LogLevel.Info, "Rolling", "two hours later") { TimeStamp = DateTime.Now.AddHours(2) };
            logger.Log(later);
        }
        finally
        {
            factory.Shutdown();
        }
        ValidationReport report = new MmapLogReader(dir.LogPath).Validate();
        Assert.Single(report.Segments);
        Assert.All(report.Segments, s => Assert.True(s.Sealed));
        Assert.Equal(new[] { "now", "two hours later" }, new MmapLogReader(dir.LogPath).ReadEvents().Select(e => e.RenderedMessage));
    }

    [Fact]
    public void A_relative_file_name_is_resolved_against_the_application_base_directory_once()
    {
        var target = new MmapTarget { FileName = "logs/${processname}/app.mlog" };
        MmapLogOptions options = target.BuildOptions();
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "logs", System.Diagnostics.Process.GetCurrentProcess().ProcessName, "app.mlog"), options.Path);
    }

    [Theory]
    [InlineData("${longdate}", "changes within a minute", "archiveEvery")]
    [InlineData("${date:format=HH-mm-ss}", "changes within a minute", "${shortdate}")]
    [InlineData("${ticks}", "changes within a minute", "archiveEvery")]
    [InlineData("${level}", "each event", "logging rules")]
    [InlineData("${logger}", "each event", "logging rules")]
    [InlineData("${uppercase:${level}}", "each event", "logging rules")]
    [InlineData("${event-properties:Tenant}", "event-properties", "logging rules")]
    [InlineData("${threadid}", "threadid", "logging rules")]
    [InlineData("${scopeproperty:Tenant}", "scopeproperty", "logging rules")]
    [InlineData("${guid}", "each time it is rendered", "fixed fileName")]
    public void A_file_name_that_would_name_another_file_for_some_events_is_refused_naming_the_option_and_what_to_use(string renderer, string why, string instead)
    {
        using var dir = new TempLogDir();
        foreach (string source in new[] { "xml", "appsettings" })
        {
            string fileName = Path.Combine(dir.Directory, renderer, "app.mlog");
            var ex = Assert.ThrowsAny<NLogConfigurationException>(() => Load(source, new Dictionary<string, string> { ["fileName"] = fileName }).Shutdown());
            string message = Flatten(ex);
            Assert.True(message.Contains("Mmap target 'mmap': fileName", StringComparison.Ordinal), message);
            Assert.Contains(why, message, StringComparison.Ordinal);
            Assert.Contains(instead, message, StringComparison.Ordinal);
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Directory));
    }

    [Fact]
    public void A_refused_file_name_writes_nowhere_when_configuration_errors_are_not_thrown()
    {
        using var dir = new TempLogDir();
        using var capture = new InternalLogCapture(LogLevel.Error);
        var factory = Load("xml", new Dictionary<string, string> { ["fileName"] = Path.Combine(dir.Directory, "${level}", "app.mlog") }, throwConfigExceptions: false);
        try
        {
            factory.GetLogger("Dated").Info("Not written anywhere");
            factory.Flush();
        }
        finally
        {
            factory.Shutdown();
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Directory, "*", SearchOption.AllDirectories));
        Assert.Contains("depends on each event (${level}", capture.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("${basedir}")]
    [InlineData("${processname}")]
    [InlineData("${environment:MMAP_TEST_DIR}")]
    [InlineData("${var:folder}")]
    [InlineData("${gdc:item=folder}")]
    [InlineData("${date:format=yyyy:cached=true}")]
    public void A_file_name_that_names_the_same_file_for_every_event_is_accepted(string renderer)
    {
        using var dir = new TempLogDir();
        Environment.SetEnvironmentVariable("MMAP_TEST_DIR", "env");
        GlobalDiagnosticsContext.Set("folder", "gdc");
        string fileName = Path.Combine(dir.Directory, renderer.TrimStart('$', '{').Split(':', '}')[0], renderer, "app.mlog");
        var factory = new LogFactory();
        var config = XmlLoggingConfiguration.CreateFromXmlString($"""
            <nlog throwConfigExceptions="true">
              <extensions><add assembly="NLog.Targets.Mmap" /></extensions>
              <variable name="folder" value="var" />
              <targets><target name="mmap" type="Mmap" fileName="{System.Security.SecurityElement.Escape(fileName)}" /></targets>
              <rules><logger name="*" minlevel="Trace" writeTo="mmap" /></rules>
            </nlog>
            """, factory);
        factory.Configuration = config;
        try
        {
            factory.GetLogger("Fixed").Info("Written");
            Assert.Single(new MmapLogReader(factory.Target().ResolvedFileName!).ReadEvents());
        }
        finally
        {
            factory.Shutdown();
        }
    }

    private static string Flatten(Exception ex)
    {
        var text = new System.Text.StringBuilder();
        for (Exception? e = ex; e is not null; e = e.InnerException) text.Append(e.Message).Append('\n');
        return text.ToString();
    }

    /// <summary>The message of the configuration exception a valid target with <paramref name="key"/> = <paramref name="value"/> fails with.</summary>
    private static string ConfigurationFailure(string source, string key, string value)
    {
        using var dir = new TempLogDir();
        var options = new Dictionary<string, string> { ["fileName"] = dir.LogPath, ["archiveAboveSize"] = "65536" };
        options[key] = value;
        LogFactory? factory = null;
        var ex = Assert.ThrowsAny<NLogConfigurationException>(() => factory = Load(source, options));
        factory?.Shutdown();
        return FullMessage(ex);
    }

    public static IEnumerable<object[]> InvalidValues()
    {
        var cases = new (string Option, string Key, string Value)[]
        {
            ("FileName", "fileName", ""),
            ("ArchiveAboveSize", "archiveAboveSize", "1000"),
            ("ArchiveEvery", "archiveEvery", "Monday"),
            ("MaxTotalSizeBytes", "maxTotalSizeBytes", "70000"),
            ("FlushToDiskInterval", "flushToDiskInterval", "2.00:00:00"),
            ("FlushToDiskLevel", "flushToDiskLevel", "Loud"),
            ("RetryInterval", "retryInterval", "00:00:00.001"),
        };
        foreach (string source in new[] { "xml", "appsettings" })
        {
            foreach (var c in cases)
            {
                yield return new object[] { source, c.Option, c.Key, c.Value };
            }
        }
    }

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void An_invalid_value_fails_with_a_configuration_exception_naming_the_option(string source, string option, string key, string value)
    {
        Assert.Contains(option, ConfigurationFailure(source, key, value), StringComparison.OrdinalIgnoreCase);
    }

    public static IEnumerable<object[]> WrongValuesAndAllowed()
    {
        var cases = new (string Key, string Value, string Allowed)[]
        {
            ("fileName", "", "fileName must name the log file"),
            ("archiveAboveSize", "1000", "archiveAboveSize (the segment size) must be a multiple of 8 from 4096"),
            ("archiveEvery", "Monday", "archiveEvery=Monday is not supported; use None, Minute, Hour, Day, Month or Year"),
            ("maxTotalSizeBytes", "70000", "maxTotalSizeBytes must be at least twice the segment size"),
            ("maxTotalSizeBytes", "70000", "or 0 for no limit."),
            ("flushToDiskInterval", "2.00:00:00", "flushToDiskInterval must be from 1 ms to 1 day"),
            ("retryInterval", "00:00:00.001", "retryInterval must be from 10 ms to 1 hour"),
        };
        foreach (string source in new[] { "xml", "appsettings" })
        {
            foreach (var c in cases)
            {
                yield return new object[] { source, c.Key, c.Value, c.Allowed };
            }
        }
    }

    [Theory]
    [MemberData(nameof(WrongValuesAndAllowed))]
    public void An_invalid_value_names_the_NLog_attribute_and_the_allowed_values(string source, string key, string value, string allowed)
    {
        string message = ConfigurationFailure(source, key, value);
        Assert.Contains($"Mmap target 'mmap': {key} (property {char.ToUpperInvariant(key[0])}{key[1..]}) is invalid.", message, StringComparison.Ordinal);
        Assert.Contains(allowed, message, StringComparison.Ordinal);
        // Serilog's names for the same options, which the core used to put in every message.
        Assert.DoesNotContain("fileSizeLimitBytes", message, StringComparison.Ordinal);
        Assert.DoesNotContain("retainedTotalSizeLimitBytes", message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Without_throwConfigExceptions_an_invalid_value_goes_to_the_InternalLogger_and_logging_goes_on(string source)
    {
        using var dir = new TempLogDir();
        using var capture = new InternalLogCapture(LogLevel.Warn);
        var factory = Load(source, new Dictionary<string, string> { ["fileName"] = dir.LogPath, ["archiveAboveSize"] = "1000" }, throwConfigExceptions: false);
        try
        {
            factory.GetLogger("X").Info("still fine {Value}", 1);
            Assert.Contains("ArchiveAboveSize", capture.Text, StringComparison.Ordinal);
            Assert.Empty(dir.SegmentFiles());
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Fact]
    public void The_target_can_be_registered_in_code_with_SetupExtensions()
    {
        using var dir = new TempLogDir();
        var factory = new LogFactory();
        factory.Setup()
            .SetupExtensions(e => e.RegisterTarget<MmapTarget>("Mmap"))
            .LoadConfigurationFromXml($"""
                <nlog throwConfigExceptions="true">
                  <targets><target name="mmap" type="Mmap" fileName="{dir.LogPath}" archiveAboveSize="65536" /></targets>
                  <rules><logger name="*" minlevel="Info" writeTo="mmap" /></rules>
                </nlog>
                """);
        try
        {
            factory.GetLogger("Reg").Info("registered in code");
            factory.Flush();
            var e = Assert.Single(new MmapLogReader(dir.LogPath).ReadEvents());
            Assert.Equal("registered in code", e.RenderedMessage);
        }
        finally
        {
            factory.Shutdown();
        }
    }

    private static string FullMessage(Exception ex)
    {
        var text = new System.Text.StringBuilder();
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            text.Append(e.Message).Append(" | ");
        }
        return text.ToString();
    }
}
