using System;
using System.IO;
using Microsoft.Win32.SafeHandles;

namespace Sinks.Mmap.Reading;

/// <summary>
/// Reads a segment file through a window of positional reads. Readers never map segments: a file
/// that another process truncates would turn a mapped read into SIGBUS, a read() just returns less.
/// </summary>
internal sealed class SegmentSource : IDisposable
{
    private const int DefaultWindow = 1 << 20;

    private readonly SafeFileHandle _handle;
    private byte[] _window;
    private long _windowStart;
    private int _windowCount;

    private SegmentSource(string path, SafeFileHandle handle, int window = DefaultWindow)
    {
        _window = new byte[window];
        Path = path;
        _handle = handle;
        Length = RandomAccess.GetLength(_handle);
    }

    /// <summary>Opens <paramref name="path"/>; an <see cref="IOException"/> when it is not a regular file.</summary>
    public SegmentSource(string path)
        : this(path, RegularFile.OpenForRead(path, out string? notRegular) ?? throw new IOException($"{System.IO.Path.GetFileName(path)} is not a regular file ({notRegular})"))
    {
    }

    /// <summary>
    /// Opens <paramref name="path"/>, or returns null with <paramref name="notRegular"/> saying what it is
    /// when it is not a regular file (a FIFO named like a segment must not block the reader). Throws the
    /// usual I/O exceptions.
    /// </summary>
    public static SegmentSource? Open(string path, out string? notRegular) => Open(path, DefaultWindow, out notRegular);

    /// <summary>As <see cref="Open(string, out string?)"/>, with a first window of <paramref name="window"/> bytes (a header-only look needs 128).</summary>
    public static SegmentSource? Open(string path, int window, out string? notRegular)
    {
        SafeFileHandle? handle = RegularFile.OpenForRead(path, out notRegular);
        return handle is null ? null : new SegmentSource(path, handle, window);
    }

    public string Path { get; }

    /// <summary>The file's length when last refreshed.</summary>
    public long Length { get; private set; }

    /// <summary>Forgets cached bytes and re-reads the length: for following a segment still being written.</summary>
    public void Refresh()
    {
        _windowCount = 0;
        Length = RandomAccess.GetLength(_handle);
    }

    /// <summary>Up to <paramref name="count"/> bytes at <paramref name="offset"/>; fewer at the end of the file.</summary>
    public ReadOnlySpan<byte> Read(long offset, int count)
    {
        if (offset < 0 || count <= 0 || offset >= Length)
        {
            return ReadOnlySpan<byte>.Empty;
        }
        count = (int)Math.Min(count, Length - offset);
        if (offset >= _windowStart && offset + count <= _windowStart + _windowCount)
        {
            return new ReadOnlySpan<byte>(_window, (int)(offset - _windowStart), count);
        }
        if (count > _window.Length)
        {
            _window = new byte[count];
        }
        int want = (int)Math.Min(_window.Length, Length - offset);
        int got = 0;
        while (got < want)
        {
            int n = RandomAccess.Read(_handle, _window.AsSpan(got, want - got), offset + got);
            if (n <= 0) break;
            got += n;
        }
        _windowStart = offset;
        _windowCount = got;
        return new ReadOnlySpan<byte>(_window, 0, Math.Min(count, got));
    }

    /// <summary>
    /// Reads into <paramref name="destination"/> at <paramref name="offset"/>, past the window (what
    /// <see cref="Read"/> returned stays valid); returns the bytes read, fewer at the end of the file.
    /// </summary>
    public int ReadAt(long offset, Span<byte> destination)
    {
        int got = 0;
        while (got < destination.Length)
        {
            int n = RandomAccess.Read(_handle, destination.Slice(got), offset + got);
            if (n <= 0) break;
            got += n;
        }
        return got;
    }

    public void Dispose() => _handle.Dispose();
}
