using System;
using System.IO;

namespace Sinks.Mmap.TestSupport;

/// <summary>A fresh folder under the temp path for one test, deleted with everything in it on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sinks-mmap-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The writer's path, <c>folder/app.mlog</c>.</summary>
    public string LogPath => File("app.mlog");

    /// <summary><see cref="LogPath"/> as a JSON string literal.</summary>
    public string JsonPath => System.Text.Json.JsonSerializer.Serialize(LogPath);

    /// <summary>A path in the folder (nothing is created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>A subfolder, created.</summary>
    public string Sub(string name)
    {
        string folder = File(name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The segments of <see cref="LogPath"/> (<c>app-*.mlog</c>), in name order.</summary>
    public string[] Segments()
    {
        string[] segments = Directory.GetFiles(Path, "app-*.mlog");
        Array.Sort(segments, StringComparer.Ordinal);
        return segments;
    }

    public void Dispose() => TryDelete(Path);

    /// <summary>Deletes a folder and everything in it; one still in use or not ours to delete is left behind.</summary>
    public static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
