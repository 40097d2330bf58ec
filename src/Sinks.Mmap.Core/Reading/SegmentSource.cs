using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.Win32.SafeHandles;
using Sinks.Mmap.Compression;

namespace Sinks.Mmap.Reading;

/// <summary>
/// Reads a segment file through a window of positional reads. Readers never map segments: a file
/// that another process truncates would turn a mapped read into SIGBUS, a read() just returns less.
/// A compressed segment (FORMAT.md, <i>Compressed segments</i>) reads the same: the window holds
/// decompressed blocks, so every reader reads containers without knowing it.
/// </summary>
internal sealed class SegmentSource : IDisposable
{
    private const int DefaultWindow = 1 << 20;

    private readonly SafeFileHandle _handle;
    private byte[] _window;
    private long _windowStart;
    private int _windowCount;

    private readonly CompressedSegment? _container;
    private readonly int _windowHint;
    private List<string>? _damage;

    private SegmentSource(string path, SafeFileHandle handle, int window = DefaultWindow)
    {
        _window = new byte[window];
        _windowHint = window;
        Path = path;
        _handle = handle;
        Length = RandomAccess.GetLength(_handle);
        Span<byte> magic = stackalloc byte[8];
        if (Length >= CompressedSegment.HeaderSize && RandomAccess.Read(_handle, magic, 0) == magic.Length && CompressedSegment.HasMagic(magic))
        {
            // The container owns a handle of its own, so disposing either never closes the other's.
            _container = CompressedSegment.Open(RegularFile.OpenForRead(path, out _) ?? throw new IOException($"{System.IO.Path.GetFileName(path)} is no longer a regular file"), out string? problem);
            if (_container is null)
            {
                Unreadable = problem;
                Length = 0;
            }
            else
            {
                Length = _container.RawLength;
            }
        }
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
        SafeFileHandle? handle;
        try
        {
            handle = RegularFile.OpenForRead(path, out notRegular);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException && File.Exists(CompressedSegment.ContainerPath(path)))
        {
            // Compressed since it was listed: the container holds the same bytes (the plain file goes only once it is complete).
            path = CompressedSegment.ContainerPath(path);
            handle = RegularFile.OpenForRead(path, out notRegular);
        }
        return handle is null ? null : new SegmentSource(path, handle, window);
    }

    public string Path { get; }

    /// <summary>Whether the file is a compressed segment (read through its blocks).</summary>
    public bool IsCompressed => _container is not null || Unreadable is not null;

    /// <summary>Why a compressed segment cannot be read at all (its header, index or trailer), or null.</summary>
    public string? Unreadable { get; }

    /// <summary>Damaged blocks of a compressed segment met so far (read as <c>FF</c> bytes), each said once.</summary>
    public IReadOnlyList<string> Damage => _damage ?? (IReadOnlyList<string>)Array.Empty<string>();

    /// <summary>The container of a compressed segment, for <c>verify</c>; null for a plain segment.</summary>
    internal CompressedSegment? Container => _container;

    /// <summary>The file's length when last refreshed.</summary>
    public long Length { get; private set; }

    /// <summary>Forgets cached bytes and re-reads the length: for following a segment still being written.</summary>
    public void Refresh()
    {
        _windowCount = 0;
        if (!IsCompressed)
        {
            Length = RandomAccess.GetLength(_handle);
        }
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
        if (_container is not null)
        {
            return ReadCompressed(offset, count);
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
        if (_container is not null)
        {
            return ReadAtCompressed(offset, destination);
        }
        int got = 0;
        while (got < destination.Length)
        {
            int n = RandomAccess.Read(_handle, destination.Slice(got), offset + got);
            if (n <= 0) break;
            got += n;
        }
        return got;
    }

    /// <summary>Fills the window with whole blocks from the one holding <paramref name="offset"/>, at least up to <paramref name="count"/> bytes.</summary>
    private ReadOnlySpan<byte> ReadCompressed(long offset, int count)
    {
        CompressedSegment container = _container!;
        int blockSize = container.BlockSize;
        int first = (int)(offset / blockSize);
        int last = (int)((offset + count - 1) / blockSize);
        // As many whole blocks as the usual window holds, and never fewer than the read needs.
        int blocks = Math.Max(last - first + 1, Math.Max(1, _windowHint / blockSize));
        blocks = Math.Min(blocks, container.BlockCount - first);
        long start = (long)first * blockSize;
        int bytes = (int)Math.Min((long)blocks * blockSize, Length - start);
        if (_window.Length < bytes)
        {
            _window = new byte[bytes];
        }
        for (int i = 0; i < blocks; i++)
        {
            DecompressBlock(first + i, _window.AsSpan(i * blockSize, container.RawBlockLength(first + i)));
        }
        _windowStart = start;
        _windowCount = bytes;
        return new ReadOnlySpan<byte>(_window, (int)(offset - start), count);
    }

    private int ReadAtCompressed(long offset, Span<byte> destination)
    {
        CompressedSegment container = _container!;
        int total = (int)Math.Min(destination.Length, Math.Max(0, Length - offset));
        byte[] block = new byte[container.BlockSize];
        int done = 0;
        while (done < total)
        {
            long at = offset + done;
            int index = (int)(at / container.BlockSize);
            int within = (int)(at - (long)index * container.BlockSize);
            int raw = container.RawBlockLength(index);
            DecompressBlock(index, block.AsSpan(0, raw));
            int n = Math.Min(raw - within, total - done);
            block.AsSpan(within, n).CopyTo(destination.Slice(done));
            done += n;
        }
        return done;
    }

    /// <summary>A damaged block reads as FF bytes: records there fail their checks and are reported, where zeros would read as the end of the records.</summary>
    private void DecompressBlock(int index, Span<byte> destination)
    {
        if (!_container!.TryReadBlock(index, destination, out string? problem))
        {
            destination.Fill(0xFF);
            _damage ??= new List<string>();
            if (!_damage.Contains(problem!))
            {
                _damage.Add(problem!);
            }
        }
    }

    public void Dispose()
    {
        _container?.Dispose();
        _handle.Dispose();
    }
}
