using System;
using System.Globalization;

namespace Sinks.Mmap.Rendering;

/// <summary>A growable UTF-8 byte buffer, reused from event to event; <see cref="Length"/> can be set back to undo.</summary>
internal sealed class Utf8Buffer
{
    private byte[] _buffer;
    private int _length;

    public Utf8Buffer(int capacity = 1 << 16) => _buffer = new byte[Math.Max(capacity, 16)];

    /// <summary>Bytes written; setting it lower drops what was written after.</summary>
    public int Length
    {
        get => _length;
        set => _length = value >= 0 && value <= _length ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>
    /// When set, called with this buffer when it is full, before it grows: it takes the bytes written so far
    /// and clears the buffer (to stream a line bigger than the buffer, or to count one without keeping it).
    /// The buffer then grows only for a single write bigger than itself. <see cref="Length"/> can no longer
    /// be set back past a spill.
    /// </summary>
    public Action<Utf8Buffer>? Spill { get; set; }

    public void Clear() => _length = 0;

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
        if (Spill is { } spill && _length > 0)
        {
            spill(this);
            if (_buffer.Length - _length >= needed) return;
        }
        long size = Math.Max((long)_buffer.Length * 2, (long)_length + needed);
        Array.Resize(ref _buffer, (int)Math.Min(size, Array.MaxLength));
    }
}
