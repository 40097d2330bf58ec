using System;
using System.Buffers;
using System.Globalization;
using System.IO;
using System.Text;

namespace Sinks.Mmap.Tool.Output;

/// <summary>
/// Where one event's text goes while it is rendered: into a buffer of at most <see cref="Limit"/>
/// characters (most events), nowhere (a dry run of an event too large for the buffer), or straight to
/// the destination. On the way to the destination it can escape control characters, and it holds back
/// a final line end so that a colour can be reset before it.
/// </summary>
internal sealed class EventTextWriter : TextWriter
{
    /// <summary>Characters of one event held in memory; a larger event is rendered twice instead, straight through.</summary>
    public const int Limit = 1 << 20;

    // C0 controls (tab and line feed are meaningful), DEL and the C1 controls: what a terminal may act on.
    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F" +
        "\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F");

    private enum Mode
    {
        Buffer,
        Discard,
        Direct,
    }

    private readonly StringBuilder _buffer = new();
    private Mode _mode;
    private TextWriter _target = Null;
    private bool _escape;
    private bool _pendingCr;
    private bool _pendingLf;

    public EventTextWriter() : base(CultureInfo.InvariantCulture)
    {
    }

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>The last character written; '\0' when nothing was.</summary>
    public char LastChar { get; private set; }

    /// <summary>The buffered text (after <see cref="StartBuffered"/>).</summary>
    public StringBuilder Buffered => _buffer;

    /// <summary>Collects into the buffer; a write past <see cref="Limit"/> throws <see cref="TooLargeException"/>.</summary>
    public void StartBuffered()
    {
        _mode = Mode.Buffer;
        _buffer.Clear();
        LastChar = '\0';
    }

    /// <summary>Keeps nothing: for a dry run.</summary>
    public void StartDiscarding()
    {
        _mode = Mode.Discard;
        LastChar = '\0';
    }

    /// <summary>Writes straight to <paramref name="target"/>, escaping control characters when asked.</summary>
    public void StartDirect(TextWriter target, bool escape)
    {
        _mode = Mode.Direct;
        _target = target;
        _escape = escape;
        _pendingCr = _pendingLf = false;
        LastChar = '\0';
    }

    /// <summary>Copies the buffer to <paramref name="target"/> the way <see cref="StartDirect"/> writes; then <see cref="Finish"/> it.</summary>
    public void CopyBufferTo(TextWriter target, bool escape)
    {
        StartDirect(target, escape);
        foreach (ReadOnlyMemory<char> chunk in _buffer.GetChunks()) Emit(chunk.Span);
    }

    /// <summary>
    /// Ends a direct write: a line end held back is written after <paramref name="beforeLineEnd"/> (a colour
    /// reset), and a carriage return that no line feed followed is escaped.
    /// </summary>
    public void Finish(string? beforeLineEnd = null)
    {
        if (_mode != Mode.Direct) return;
        if (_pendingCr && !_pendingLf)
        {
            WriteEscaped('\r');
            _pendingCr = false;
        }
        if (beforeLineEnd is not null) _target.Write(beforeLineEnd);
        if (_pendingLf) _target.Write(_pendingCr ? "\r\n" : "\n");
        _pendingCr = _pendingLf = false;
        _target = Null;
    }

    public override void Write(char value) => Write(new ReadOnlySpan<char>(in value));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(StringBuilder? value)
    {
        if (value is null) return;
        foreach (ReadOnlyMemory<char> chunk in value.GetChunks()) Write(chunk.Span);
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        if (buffer.IsEmpty) return;
        LastChar = buffer[^1];
        switch (_mode)
        {
            case Mode.Buffer:
                if (_buffer.Length + buffer.Length > Limit) throw new TooLargeException();
                _buffer.Append(buffer);
                break;
            case Mode.Direct:
                Emit(buffer);
                break;
        }
    }

    public override void WriteLine() => Write(CoreNewLine);

    private void Emit(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (_pendingLf)
            {
                _target.Write(_pendingCr ? "\r\n" : "\n");
                _pendingCr = _pendingLf = false;
            }
            if (_pendingCr)
            {
                if (text[0] == '\n')
                {
                    _pendingLf = true;
                    text = text.Slice(1);
                    continue;
                }
                WriteEscaped('\r');
                _pendingCr = false;
            }
            // Everything up to a character that needs a decision goes out as it is.
            int at = _escape ? text.IndexOfAny(NeedsEscape) : -1;
            int lf = text.IndexOf('\n');
            int stop = at < 0 ? lf : lf < 0 ? at : Math.Min(at, lf);
            if (stop < 0)
            {
                _target.Write(text);
                return;
            }
            _target.Write(text.Slice(0, stop));
            char c = text[stop];
            text = text.Slice(stop + 1);
            if (c == '\n')
            {
                // Held back: the colour reset goes before the event's last line end.
                _pendingLf = true;
            }
            else if (c == '\r')
            {
                // A carriage return is kept only before a line feed (Windows line ends), never alone.
                _pendingCr = true;
            }
            else
            {
                WriteEscaped(c);
            }
        }
    }

    private void WriteEscaped(char c)
    {
        // \xNN for C0 and DEL (as journalctl and C write them), \u00NN for the C1 controls, which are code points.
        _target.Write(c < 0x80 ? "\\x" : "\\u00");
        _target.Write(((int)c).ToString("X2", CultureInfo.InvariantCulture));
    }

    /// <summary>Thrown into the renderer when an event's text passes <see cref="Limit"/> in the buffer.</summary>
    internal sealed class TooLargeException : Exception
    {
        public TooLargeException() : base("the event's text is larger than the buffer")
        {
        }
    }
}
