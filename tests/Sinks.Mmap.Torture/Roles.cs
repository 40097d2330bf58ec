using System;
using System.Collections.Generic;
using System.IO;
using NLog;
using NLog.Targets;
using NLog.Targets.Mmap;
using NLog.Targets.Wrappers;
using Serilog;
using Serilog.Debugging;

namespace Sinks.Mmap.Torture;

/// <summary>The logger a child process tortures: one event per call, numbered by round, thread and counter.</summary>
internal interface ITortureLogger : IDisposable
{
    /// <summary>Logs one numbered event at Information.</summary>
    void Log(int round, int thread, long counter);

    /// <summary>Logs one numbered event at Error: with a flush-to-disk level of Error it is on disk when this returns.</summary>
    void LogFlushed(int round, int thread, long counter);
}

/// <summary>How a child's logger is set up: the parts of a role that a scenario varies.</summary>
internal sealed record LoggerSettings(string Folder, long SegmentBytes, int? RetainedFiles, bool FlushOnError, TimeSpan RetryInterval);

/// <summary>The loggers under test: the two adapters and the peers a user would pick instead.</summary>
internal static class Roles
{
    /// <summary>The one message every role writes; its literal tail lets a text parser tell a whole line from a torn one.</summary>
    public const string Template = "Torture round {Round} thread {Thread} event {Counter} " + Tail;

    public const string Tail = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

    public const string MmapSerilog = "mmap-serilog";
    public const string MmapNLog = "mmap-nlog";

    /// <summary>Every role, Mmap first, in the order the comparison table lists them.</summary>
    public static readonly IReadOnlyList<string> All = new[]
    {
        MmapSerilog, MmapNLog,
        "file-serilog-unbuffered", "file-serilog-buffered", "async-file-serilog",
        "nlog-file-autoflush", "nlog-file-noautoflush", "nlog-asyncwrapper-file",
    };

    /// <summary>What each role is, in words, for the tables.</summary>
    public static string Describe(string role) => role switch
    {
        MmapSerilog => "Serilog.Sinks.Mmap (`WriteTo.Mmap`)",
        MmapNLog => "NLog.Targets.Mmap (`Mmap` target)",
        "file-serilog-unbuffered" => "Serilog.Sinks.File, `buffered: false`",
        "file-serilog-buffered" => "Serilog.Sinks.File, `buffered: true`",
        "async-file-serilog" => "Serilog.Sinks.Async over File (`buffered: false`)",
        "nlog-file-autoflush" => "NLog `FileTarget`, `AutoFlush=true`",
        "nlog-file-noautoflush" => "NLog `FileTarget`, `AutoFlush=false`",
        "nlog-asyncwrapper-file" => "NLog `AsyncWrapper` over `FileTarget`",
        _ => role,
    };

    public static bool IsMmap(string role) => role is MmapSerilog or MmapNLog;

    /// <summary>The path the role is given: the Mmap log's base path, or the peer's single text file.</summary>
    public static string LogPath(string role, string folder) => Path.Combine(folder, IsMmap(role) ? "app.mlog" : "app.log");

    public static ITortureLogger Create(string role, LoggerSettings settings)
    {
        string path = LogPath(role, settings.Folder);
        return role switch
        {
            MmapSerilog => new SerilogLogger(new LoggerConfiguration().WriteTo.Mmap(path,
                fileSizeLimitBytes: settings.SegmentBytes,
                retainedFileCountLimit: settings.RetainedFiles,
                flushToDiskLevel: settings.FlushOnError ? "Error" : "Fatal",
                retryInterval: settings.RetryInterval)),
            MmapNLog => NLogLogger.Create(new MmapTarget("mmap")
            {
                FileName = path,
                ArchiveAboveSize = settings.SegmentBytes,
                MaxArchiveFiles = settings.RetainedFiles is { } kept ? kept - 1 : -1,
                FlushToDiskLevel = settings.FlushOnError ? NLog.LogLevel.Error : NLog.LogLevel.Fatal,
                RetryInterval = settings.RetryInterval,
            }),
            "file-serilog-unbuffered" => new SerilogLogger(new LoggerConfiguration().WriteTo.File(path, outputTemplate: "{Message:lj}{NewLine}", buffered: false)),
            "file-serilog-buffered" => new SerilogLogger(new LoggerConfiguration().WriteTo.File(path, outputTemplate: "{Message:lj}{NewLine}", buffered: true)),
            "async-file-serilog" => new SerilogLogger(new LoggerConfiguration().WriteTo.Async(a => a.File(path, outputTemplate: "{Message:lj}{NewLine}", buffered: false))),
            "nlog-file-autoflush" => NLogLogger.Create(new FileTarget("file") { FileName = path, Layout = "${message}", AutoFlush = true }),
            "nlog-file-noautoflush" => NLogLogger.Create(new FileTarget("file") { FileName = path, Layout = "${message}", AutoFlush = false }),
            "nlog-asyncwrapper-file" => NLogLogger.Create(new AsyncTargetWrapper("async", new FileTarget("file") { FileName = path, Layout = "${message}" })),
            _ => throw new ArgumentException($"unknown role '{role}'; known: {string.Join(", ", All)}"),
        };
    }

    /// <summary>Sends the adapter's fault reports (SelfLog / InternalLogger) to stderr, where the parent reads them.</summary>
    public static void ReportFaultsOnStderr()
    {
        SelfLog.Enable(Console.Error);
        NLog.Common.InternalLogger.LogLevel = NLog.LogLevel.Warn;
        NLog.Common.InternalLogger.LogToConsoleError = true;
    }

    private sealed class SerilogLogger : ITortureLogger
    {
        private readonly Serilog.Core.Logger _logger;

        public SerilogLogger(LoggerConfiguration configuration) => _logger = configuration.CreateLogger();

        public void Log(int round, int thread, long counter) => _logger.Information(Template, round, thread, counter);

        public void LogFlushed(int round, int thread, long counter) => _logger.Error(Template, round, thread, counter);

        public void Dispose() => _logger.Dispose();
    }

    private sealed class NLogLogger : ITortureLogger
    {
        private readonly LogFactory _factory;
        private readonly NLog.Logger _logger;

        private NLogLogger(LogFactory factory)
        {
            _factory = factory;
            _logger = factory.GetLogger("Torture");
        }

        public static NLogLogger Create(Target target)
        {
            var factory = new LogFactory { ThrowConfigExceptions = true };
            factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(target));
            return new NLogLogger(factory);
        }

        public void Log(int round, int thread, long counter) => _logger.Info(Template, round, thread, counter);

        public void LogFlushed(int round, int thread, long counter) => _logger.Error(Template, round, thread, counter);

        public void Dispose() => _factory.Shutdown();
    }
}
