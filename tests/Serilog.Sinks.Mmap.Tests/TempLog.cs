using System;
using System.IO;

namespace Serilog.Sinks.Mmap.Tests;

/// <summary>A temporary folder for one test's log, deleted afterwards.</summary>
internal sealed class TempLog : IDisposable
{
    public TempLog()
    {
        Folder = Path.Combine(Path.GetTempPath(), "serilog-mmap-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        LogPath = Path.Combine(Folder, "app.mlog");
    }

    public string Folder { get; }
    public string LogPath { get; }

    /// <summary>The path as a JSON string literal.</summary>
    public string JsonPath => System.Text.Json.JsonSerializer.Serialize(LogPath);

    public string[] Segments() => Directory.GetFiles(Folder, "app-*.mlog");

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
