using System;
using System.IO;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>A temporary folder for one test, deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mmaplog-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The writer's path, <c>folder/app.mlog</c>.</summary>
    public string LogPath => File("app.mlog");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string[] Segments() => Directory.GetFiles(Path, "app-*.mlog");

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
