using System;
using System.Globalization;

namespace Sinks.Mmap.Rendering;

/// <summary>A growable UTF-8 byte buffer, reused from event to event; <see cref="Length"/> can be set back to undo.</summary>
internal sealed class Utf8Buffer
{
    private byte[] _buffer;
    // Where this buffer's bytes start in _buffer: 0, or the offset of a borrowed window (see Borrow).
    // _length is an index into _buffer, so the per-byte writes need no offset.
    private int _start;
    private int _length;
    private byte[]? _own;

    public Utf8Buffer(int capacity = 1 << 16) => _buffer = new byte[Math.Max(capacity, 16)];

    /// <summary>Bytes written; setting it lower drops what was written after.</summary>
    public int Length
    {
        get => _length - _start;
        set => _length = value >= 0 && value <= _length - _start ? _start + value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(_start, _length - _start);

    /// <summary>
    /// True while writes land in a window borrowed with <see cref="Borrow"/>; false once the bytes
    /// outgrew it and were moved to this buffer's own array.
    /// </summary>
    public bool IsBorrowed => _own is not null;

    /// <summary>
    /// When set, called with this buffer when it is full, before it grows: it takes the bytes written so far
    /// and clears the buffer (to stream a line bigger than the buffer, or to count one without keeping it).
    /// The buffer then grows only for a single write bigger than itself. <see cref="Length"/> can no longer
    /// be set back past a spill.
    /// </summary>
    public Action<Utf8Buffer>? Spill { get; set; }

    public void Clear() => _length = _start;

    /// <summary>
    /// Writes from now on land in <paramref name="array"/> from <paramref name="offset"/> to its end
    /// (another writer's free memory), so a line built there needs no copy; cleared. What outgrows
    /// the window moves to this buffer's own array (<see cref="IsBorrowed"/> turns false). Ended by
    /// <see cref="EndBorrow"/>; not for a buffer with a <see cref="Spill"/>.
    /// </summary>
    public void Borrow(byte[] array, int offset)
    {
        _own ??= _buffer;
        _buffer = array;
        _start = offset;
        _length = offset;
    }

    /// <summary>Back to this buffer's own array, cleared (the borrowed window is no longer touched).</summary>
    public void EndBorrow()
    {
        if (_own is { } own) _buffer = own;
        _own = null;
        _start = 0;
        _length = 0;
    }

    /// <summary>Room for at least <paramref name="size"/> bytes; <see cref="Advance"/> by what was used.</summary>
    public Span<byte> GetSpan(int size)
    {
        if (_buffer.Length - _length < size) Grow(size);
        return _buffer.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    public void Write(byte value)
    {
        if (_length == _buffer.Length) Grow(1);
        _buffer[_length++] = value;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length - _length < bytes.Length) Grow(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Writes <paramref name="value"/> formatted with the invariant culture.</summary>
    public void Format<T>(T value, ReadOnlySpan<char> format = default) where T : IUtf8SpanFormattable
    {
        int size = 64;
        while (true)
        {
            if (value.TryFormat(GetSpan(size), out int written, format, CultureInfo.InvariantCulture))
            {
                _length += written;
                return;
            }
            size *= 2;
        }
    }

    private void Grow(int needed)
    {
        if (_own is { } own)
        {
            // Outgrew the borrowed window: the bytes so far move to the own array, and writing goes on there.
            int written = _length - _start;
            if (own.Length < written + needed) own = new byte[(int)Math.Min(Math.Max((long)own.Length * 2, (long)written + needed), Array.MaxLength)];
            _buffer.AsSpan(_start, written).CopyTo(own);
            _buffer = own;
            _own = null;
            _start = 0;
            _length = written;
            return;
        }
        if (Spill is { } spill && _length > 0)
        {
            spill(this);
            if (_buffer.Length - _length >= needed) return;
        }
        long size = Math.Max((long)_buffer.Length * 2, (long)_length + needed);
        Array.Resize(ref _buffer, (int)Math.Min(size, Array.MaxLength));
    }
}
