using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Extensions.Configuration;
using NLog.Common;
using NLog.Config;
using NLog.Extensions.Logging;

namespace NLog.Targets.Mmap.Tests;

/// <summary>A temporary folder (a <see cref="TempFolder"/>) for one test's log, deleted afterwards.</summary>
internal sealed class TempLogDir : IDisposable
{
    private readonly TempFolder _folder = new();

    public string Directory => _folder.Path;

    public string LogPath => _folder.LogPath;

    public string[] SegmentFiles() => _folder.Segments();

    public void Dispose() => _folder.Dispose();
}

/// <summary>Builds NLog configurations for the Mmap target from XML or from an appsettings "NLog" section.</summary>
internal static class NLogConfigs
{
    public static string Xml(IDictionary<string, string> attributes, bool throwConfigExceptions = true, string minLevel = "Trace")
    {
        var target = new StringBuilder("<target name=\"mmap\" type=\"Mmap\"");
        foreach (var (key, value) in attributes)
        {
            target.Append(' ').Append(key).Append("=\"").Append(System.Security.SecurityElement.Escape(value)).Append('"');
        }
        target.Append(" />");
        return $"""
            <nlog throwConfigExceptions="{(throwConfigExceptions ? "true" : "false")}">
              <extensions><add assembly="NLog.Targets.Mmap" /></extensions>
              <targets>{target}</targets>
              <rules><logger name="*" minlevel="{minLevel}" writeTo="mmap" /></rules>
            </nlog>
            """;
    }

    /// <summary>Loads an XML configuration into a fresh LogFactory (which initialises the targets).</summary>
    public static LogFactory FromXml(IDictionary<string, string> attributes, bool throwConfigExceptions = true)
    {
        var factory = new LogFactory();
        var config = XmlLoggingConfiguration.CreateFromXmlString(Xml(attributes, throwConfigExceptions), factory);
        factory.Configuration = config;
        return factory;
    }

    public static string AppSettingsJson(IDictionary<string, string> options, bool throwConfigExceptions = true)
    {
        var target = new StringBuilder("\"type\": \"Mmap\"");
        foreach (var (key, value) in options)
        {
            target.Append(", \"").Append(key).Append("\": ").Append(System.Text.Json.JsonSerializer.Serialize(value));
        }
        return $$"""
            {
              "NLog": {
                "throwConfigExceptions": {{(throwConfigExceptions ? "true" : "false")}},
                "extensions": [ { "assembly": "NLog.Targets.Mmap" } ],
                "targets": { "mmap": { {{target}} } },
                "rules": [ { "logger": "*", "minLevel": "Trace", "writeTo": "mmap" } ]
              }
            }
            """;
    }

    /// <summary>Loads an appsettings "NLog" section (NLog.Extensions.Logging) into a fresh LogFactory.</summary>
    public static LogFactory FromAppSettings(IDictionary<string, string> options, bool throwConfigExceptions = true)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(AppSettingsJson(options, throwConfigExceptions))))
            .Build();
        var factory = new LogFactory();
        factory.Configuration = new NLogLoggingConfiguration(configuration.GetSection("NLog"), factory);
        return factory;
    }

    public static MmapTarget Target(this LogFactory factory) =>
        factory.Configuration!.FindTargetByName<MmapTarget>("mmap") ?? throw new InvalidOperationException("no mmap target");
}

/// <summary>Captures NLog's InternalLogger output for the duration of a test.</summary>
internal sealed class InternalLogCapture : IDisposable
{
    private readonly StringWriter _writer = new();
    private readonly LogLevel _previousLevel;
    private readonly TextWriter? _previousWriter;

    public InternalLogCapture(LogLevel level)
    {
        _previousLevel = InternalLogger.LogLevel;
        _previousWriter = InternalLogger.LogWriter;
        InternalLogger.LogWriter = TextWriter.Synchronized(_writer);
        InternalLogger.LogLevel = level;
    }

    public string Text
    {
        get { lock (_writer) return _writer.ToString(); }
    }

    public void Dispose()
    {
        InternalLogger.LogLevel = _previousLevel;
        InternalLogger.LogWriter = _previousWriter;
    }
}
