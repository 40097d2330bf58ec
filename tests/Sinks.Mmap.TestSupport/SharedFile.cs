using System.IO;

namespace Sinks.Mmap.TestSupport;

/// <summary>Reads files another process (or this one) may have open for writing, such as a child's ack file.</summary>
internal static class SharedFile
{
    /// <summary>The whole file as it is now.</summary>
    public static byte[] ReadAll(string path)
    {
        using var stream = Open(path);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The first <paramref name="size"/> bytes; zeros past the end of a shorter file.</summary>
    public static byte[] ReadPrefix(string path, int size)
    {
        var bytes = new byte[size];
        using var stream = Open(path);
        int read = 0;
        while (read < size)
        {
            int n = stream.Read(bytes, read, size - read);
            if (n <= 0) break;
            read += n;
        }
        return bytes;
    }

    private static FileStream Open(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
}
