using System;
using System.Buffers;
using System.IO;
using System.Text;

namespace Sinks.Mmap.Tool.Output;

/// <summary>
/// Collects whole UTF-8 lines and hands them to a <see cref="TextWriter"/> in large blocks: as bytes
/// to the stream under a UTF-8 <see cref="StreamWriter"/> (stdout, export files), to nowhere for
/// <see cref="TextWriter.Null"/>, else decoded back to text (tests' StringWriters). A line larger than
/// the buffer (a huge record's CLEF, written in pieces) is flushed as it comes, so memory stays bounded.
/// </summary>
internal sealed class Utf8LineSink : IBufferWriter<byte>
{
    private const int FlushThreshold = 1 << 16;

    private readonly TextWriter _destination;
    private readonly Stream? _stream;
    private readonly bool _discard;
    private byte[] _buffer = new byte[FlushThreshold * 2];
    private int _length;
    private char[] _chars = Array.Empty<char>();

    public Utf8LineSink(TextWriter destination)
    {
        _destination = destination;
        _discard = ReferenceEquals(destination, TextWriter.Null);
        // Bytes may bypass the writer only when they are what it would write: UTF-8 with no byte order mark.
        if (destination is StreamWriter { Encoding: UTF8Encoding utf8 } writer && utf8.Preamble.Length == 0)
        {
            _stream = writer.BaseStream;
        }
    }

    public void Write(StringBuilder line)
    {
        foreach (ReadOnlyMemory<char> chunk in line.GetChunks())
        {
            ReadOnlySpan<char> text = chunk.Span;
            Span<byte> span = GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
            Advance(Encoding.UTF8.GetBytes(text, span));
        }
    }

    /// <summary>Room for at least <paramref name="sizeHint"/> bytes: what is held is flushed first when it does not fit.</summary>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        int size = Math.Max(sizeHint, 1);
        if (_buffer.Length - _length < size)
        {
            if (_length > 0) Flush();
            if (_buffer.Length < size) _buffer = new byte[size];
        }
        return _buffer.AsSpan(_length);
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        GetSpan(sizeHint);
        return _buffer.AsMemory(_length);
    }

    /// <inheritdoc/>
    public void Advance(int count) => _length += count;

    public void FlushIfFull()
    {
        if (_length >= FlushThreshold) Flush();
    }

    public void Flush()
    {
        ReadOnlySpan<byte> bytes = _buffer.AsSpan(0, _length);
        if (bytes.IsEmpty || _discard)
        {
            _length = 0;
            return;
        }
        if (_stream is not null)
        {
            _destination.Flush();
            _stream.Write(bytes);
        }
        else
        {
            if (_chars.Length < bytes.Length) _chars = new char[bytes.Length];
            int count = Encoding.UTF8.GetChars(bytes, _chars);
            _destination.Write(_chars, 0, count);
        }
        _length = 0;
    }
}
