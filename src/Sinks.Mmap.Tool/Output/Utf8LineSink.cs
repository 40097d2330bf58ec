using System;
using System.IO;
using System.Text;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.Tool.Output;

/// <summary>
/// Collects whole UTF-8 lines and hands them to a <see cref="TextWriter"/> in large blocks: as bytes
/// to the stream under a UTF-8 <see cref="StreamWriter"/> (stdout, export files), to nowhere for
/// <see cref="TextWriter.Null"/>, else decoded back to text (tests' StringWriters).
/// </summary>
internal sealed class Utf8LineSink
{
    private const int FlushThreshold = 1 << 16;

    private readonly TextWriter _destination;
    private readonly Stream? _stream;
    private readonly bool _discard;
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

    /// <summary>Where lines are appended; keep to whole lines between flushes.</summary>
    public Utf8Buffer Buffer { get; } = new(FlushThreshold * 2);

    public void Write(StringBuilder line)
    {
        foreach (ReadOnlyMemory<char> chunk in line.GetChunks())
        {
            ReadOnlySpan<char> text = chunk.Span;
            Span<byte> span = Buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
            Buffer.Advance(Encoding.UTF8.GetBytes(text, span));
        }
    }

    public void FlushIfFull()
    {
        if (Buffer.Length >= FlushThreshold) Flush();
    }

    public void Flush()
    {
        ReadOnlySpan<byte> bytes = Buffer.WrittenSpan;
        if (bytes.IsEmpty || _discard)
        {
            Buffer.Clear();
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
        Buffer.Clear();
    }
}
