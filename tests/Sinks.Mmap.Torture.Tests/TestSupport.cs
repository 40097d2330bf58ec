using System;
using System.IO;
using Xunit;

namespace Sinks.Mmap.Torture.Tests;

/// <summary>A fresh folder under the temp path, deleted with everything in it on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sinks-mmap-torture", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name)
    {
        string folder = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    public void Dispose() => Soak.TryDelete(Path);
}

/// <summary>Xunit data: the two adapters.</summary>
public static class Adapters
{
    public static TheoryData<string> Both => new() { Roles.MmapSerilog, Roles.MmapNLog };
}
