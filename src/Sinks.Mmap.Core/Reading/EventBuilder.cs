using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using Sinks.Mmap.Format;
using Sinks.Mmap.Templates;

namespace Sinks.Mmap.Reading;

/// <summary>
/// The visitor that builds an <see cref="MmapEvent"/> from a body that has already walked without
/// error (<see cref="EventDecoder"/> validates first): every count it is told is then true, so each
/// list is allocated once at its exact size. Small values come from <see cref="SharedValues"/>.
/// </summary>
internal struct EventBuilder : IEventBodyVisitor
{
    private readonly SegmentStrings _strings;
    private readonly LevelStack _levels;
    // Strings not kept in memory are read at each use; within one event each is read once.
    private Dictionary<InternedString, string>? _unkept;
    private HeadFields _head;
    private MmapEvent? _event;

    public EventBuilder(SegmentStrings strings)
    {
        _strings = strings;
        _levels = new LevelStack();
        _unkept = null;
        _head = default;
        _event = null;
    }

    /// <summary>The event, once the walk has reached the end of its properties.</summary>
    public readonly MmapEvent? Event => _event;

    public void Head(scoped in EventHead head)
    {
        string? template = Text(head.Template);
        string? rendered = head.Rendered.IsNull ? null : Text(head.Rendered);
        _head = new HeadFields
        {
            Sequence = head.Sequence,
            UtcTicks = head.UtcTicks,
            Level = head.Level,
            OffsetMinutes = head.OffsetMinutes,
            Presence = head.Presence,
            Template = template,
            Logger = Text(head.Logger),
            Rendered = rendered,
            TraceId = (head.Presence & EventPresence.TraceId) != 0 ? ActivityTraceId.CreateFromBytes(head.TraceId) : null,
            SpanId = (head.Presence & EventPresence.SpanId) != 0 ? ActivitySpanId.CreateFromBytes(head.SpanId) : null,
            Exception = head.HasException
                ? new MmapExceptionInfo(Text(head.ExceptionType), Text(head.ExceptionMessage), Text(head.ExceptionText))
                : null,
        };
        _levels.Push().StartProperties(head.PropertyCount);
    }

    public void PropertyName(StrRef name, int index, int depth) => _levels.Peek().Name = Text(name);

    public void Null() => Add(LogScalar.Null);
    public void Bool(bool value) => Add(SharedValues.Bool(value));

    public void Integer(long value, ValueTag tag) => Add(tag switch
    {
        ValueTag.SByte => SharedValues.SByte((sbyte)value),
        ValueTag.Int16 => new LogScalar((short)value),
        ValueTag.Int32 => SharedValues.Int32((int)value),
        _ => SharedValues.Int64(value),
    });

    public void Unsigned(ulong value, ValueTag tag) => Add(tag switch
    {
        ValueTag.Byte => SharedValues.Byte((byte)value),
        ValueTag.UInt16 => new LogScalar((ushort)value),
        ValueTag.UInt32 => SharedValues.UInt32((uint)value),
        _ => SharedValues.UInt64(value),
    });

    public void Single(float value) => Add(new LogScalar(value));
    public void Double(double value) => Add(new LogScalar(value));
    public void Decimal(decimal value) => Add(new LogScalar(value));

    public void String(Utf8Field value)
    {
        string? s = Text(value);
        Add(s is null ? LogScalar.Null : s.Length == 0 ? SharedValues.EmptyString : new LogScalar(s));
    }

    public void Char(char value) => Add(new LogScalar(value));
    public void DateTime(DateTime value) => Add(new LogScalar(value));
    public void DateTimeOffset(DateTimeOffset value) => Add(new LogScalar(value));
    public void TimeSpan(TimeSpan value) => Add(new LogScalar(value));
    public void Guid(Guid value) => Add(new LogScalar(value));
    public void Bytes(ReadOnlySpan<byte> value) => Add(new LogScalar(value.ToArray()));
    public void DateOnly(DateOnly value) => Add(new LogScalar(value));
    public void TimeOnly(TimeOnly value) => Add(new LogScalar(value));

    public void Opaque(StrRef typeName, Utf8Field text) => Add(new LogOpaqueScalar(Text(typeName) ?? "", Text(text)));

    public void Enum(StrRef typeName, ValueTag underlying, ulong bits, StrRef name) =>
        Add(new LogScalar(new LogEnumValue(Text(typeName)!, LogEnumValue.Box(underlying, bits), Text(name)!)));

    public readonly void BeginSequence(int count) => _levels.Push().StartSequence(count);
    public readonly void SequenceElement(int index) { }

    public void EndSequence()
    {
        Level level = _levels.Pop();
        Add(level.Values is null ? SharedValues.EmptySequence : new LogSequence(level.Values));
    }

    public readonly void BeginStructure(int count) => _levels.Push().StartProperties(count);

    public void EndStructure(StrRef typeTag, int count)
    {
        LogProperty[] properties = _levels.Pop().PropertyList!;
        string? tag = Text(typeTag);
        Add(tag is null && properties.Length == 0 ? SharedValues.EmptyUntypedStructure : new LogStructure(tag, properties));
    }

    public readonly void BeginDictionary(int count) => _levels.Push().StartDictionary(count);

    public void EndDictionary()
    {
        Level level = _levels.Pop();
        Add(level.Entries is null ? SharedValues.EmptyDictionary : new LogDictionary(level.Entries));
    }

    public void EndProperties()
    {
        LogProperty[] properties = _levels.Pop().PropertyList!;
        HeadFields h = _head;
        string? rendered = h.Rendered;
        if ((h.Presence & EventPresence.PlainRendering) != 0)
        {
            // Null when the properties do not fit the template (a damaged record): the event still reads.
            rendered = PlainMessageRenderer.TryRender(h.Template!, properties);
        }
        DateTimeOffset timestamp = EventBodyWalker.Timestamp(h.UtcTicks, h.OffsetMinutes);
        _event = new MmapEvent(h.Sequence, timestamp, (MmapLevel)h.Level, h.Template, properties, h.Logger, rendered,
            h.Exception, h.TraceId, h.SpanId);
    }

    private readonly void Add(LogValue value) => _levels.Peek().Add(value);

    private static string? Text(Utf8Field field) =>
        field.IsNull ? null : field.Bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(field.Bytes);

    private string? Text(StrRef value)
    {
        if (value.IsNull) return null;
        if (value.Interned is not { } s) return Encoding.UTF8.GetString(value.Inline);
        if (s.IsKept) return s.Value;
        _unkept ??= new Dictionary<InternedString, string>(ReferenceEqualityComparer.Instance);
        if (!_unkept.TryGetValue(s, out string? text)) _unkept.Add(s, text = s.Value);
        return text;
    }

    /// <summary>The head's fields as the event holds them, kept until the properties are built.</summary>
    private struct HeadFields
    {
        public long Sequence;
        public long UtcTicks;
        public byte Level;
        public short OffsetMinutes;
        public EventPresence Presence;
        public string? Template;
        public string? Logger;
        public string? Rendered;
        public ActivityTraceId? TraceId;
        public ActivitySpanId? SpanId;
        public MmapExceptionInfo? Exception;
    }

    /// <summary>A list being filled: the event's or a structure's properties, a sequence, or a dictionary.</summary>
    private sealed class Level
    {
        public LogProperty[]? PropertyList;
        public LogValue[]? Values;
        public KeyValuePair<LogValue, LogValue>[]? Entries;
        public string? Name;
        private LogValue? _key;
        private int _next;

        public void StartProperties(int count) => Start(count == 0 ? Array.Empty<LogProperty>() : new LogProperty[count], null, null);

        // Empty lists stay null: the shared empty sequence or dictionary stands for them.
        public void StartSequence(int count) => Start(null, count == 0 ? null : new LogValue[count], null);

        public void StartDictionary(int count) => Start(null, null, count == 0 ? null : new KeyValuePair<LogValue, LogValue>[count]);

        private void Start(LogProperty[]? properties, LogValue[]? values, KeyValuePair<LogValue, LogValue>[]? entries)
        {
            PropertyList = properties;
            Values = values;
            Entries = entries;
            Name = null;
            _key = null;
            _next = 0;
        }

        public void Add(LogValue value)
        {
            if (PropertyList is not null)
            {
                PropertyList[_next++] = new LogProperty(Name!, value);
            }
            else if (Values is not null)
            {
                Values[_next++] = value;
            }
            else if (_key is null)
            {
                _key = value;
            }
            else
            {
                Entries![_next++] = new KeyValuePair<LogValue, LogValue>(_key, value);
                _key = null;
            }
        }
    }

    /// <summary>
    /// The lists being filled, innermost last. Levels are reused as the walk goes in and out, so a body
    /// of many small structures costs the structures and not a level object each.
    /// </summary>
    private sealed class LevelStack
    {
        private Level[] _levels = new Level[4];
        private int _count;

        public Level Push()
        {
            if (_count == _levels.Length) Array.Resize(ref _levels, _count * 2);
            return _levels[_count++] ??= new Level();
        }

        public Level Peek() => _levels[_count - 1];

        /// <summary>The innermost level; its lists stay valid until the next <see cref="Push"/> at that depth.</summary>
        public Level Pop() => _levels[--_count];
    }
}
