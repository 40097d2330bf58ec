using System;
using System.Collections.Generic;
using Sinks.Mmap.Format;
using Sinks.Mmap.Reading;

namespace Sinks.Mmap;

/// <summary>
/// A quick test of Event records against comparisons of top-level properties with literals
/// (<c>OrderId = 1001</c>, <c>Customer = 'x'</c>, <c>Ok = true</c>), on the record's bytes, before any
/// decoding: a search through a large log decodes only the events that may match. It only ever rejects
/// an event that cannot match (a compared property is missing, or holds a number, text or bool other
/// than the literal); whatever it cannot judge on the bytes (a value of another kind, text that is not
/// valid UTF-8) passes, for the caller's full comparison to decide.
/// </summary>
public sealed class PropertyPrefilter
{
    /// <summary>The most comparisons one prefilter holds.</summary>
    public const int MaxComparisons = 64;

    private readonly List<Comparison> _comparisons = new();

    /// <summary>How many comparisons the prefilter holds.</summary>
    public int Count => _comparisons.Count;

    /// <summary>Requires a top-level property <paramref name="property"/> equal to the number <paramref name="value"/>.</summary>
    /// <param name="property">The property's name.</param>
    /// <param name="value">The number it must equal (an integer or decimal property of another value fails).</param>
    /// <returns>This prefilter.</returns>
    public PropertyPrefilter RequireNumber(string property, decimal value) => Add(new Comparison(property, Kind.Number) { Number = value });

    /// <summary>Requires a top-level property <paramref name="property"/> equal to the text <paramref name="value"/> (ordinal).</summary>
    /// <param name="property">The property's name.</param>
    /// <param name="value">The text it must equal.</param>
    /// <returns>This prefilter.</returns>
    public PropertyPrefilter RequireText(string property, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Add(new Comparison(property, Kind.Text) { Text = System.Text.Encoding.UTF8.GetBytes(value) });
    }

    /// <summary>Requires a top-level property <paramref name="property"/> equal to <paramref name="value"/>.</summary>
    /// <param name="property">The property's name.</param>
    /// <param name="value">The bool it must equal.</param>
    /// <returns>This prefilter.</returns>
    public PropertyPrefilter RequireBool(string property, bool value) => Add(new Comparison(property, Kind.Bool) { Bool = value });

    /// <summary>
    /// False when the current Event record of <paramref name="records"/> cannot match, or does not decode
    /// (a damaged one never matches; the stream counts it, <see cref="MmapRecordStream.Reports"/>); true when
    /// the caller's full comparison must decide.
    /// </summary>
    /// <param name="records">A stream positioned on an Event record.</param>
    /// <returns>Whether the record may match.</returns>
    public bool MayMatch(MmapRecordStream records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var visitor = new PrefilterVisitor(_comparisons);
        return records.WalkEvent(ref visitor) && visitor.AllMet;
    }

    private PropertyPrefilter Add(Comparison comparison)
    {
        if (_comparisons.Count == MaxComparisons)
        {
            throw new InvalidOperationException($"A PropertyPrefilter holds at most {MaxComparisons} comparisons.");
        }
        _comparisons.Add(comparison);
        return this;
    }

    internal enum Kind { Number, Text, Bool }

    internal sealed class Comparison
    {
        public Comparison(string name, Kind kind)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            Name = System.Text.Encoding.UTF8.GetBytes(name);
            ValueKind = kind;
        }

        public byte[] Name { get; }
        public Kind ValueKind { get; }
        public decimal Number { get; init; }
        public byte[] Text { get; init; } = Array.Empty<byte>();
        public bool Bool { get; init; }
    }

    /// <summary>
    /// Marks each comparison its top-level property may meet: a value of the compared kind equal to the
    /// literal, or any value only the full comparison can judge.
    /// </summary>
    private struct PrefilterVisitor : IEventBodyVisitor
    {
        private readonly List<Comparison> _comparisons;
        private ulong _met;
        private ulong _pending;
        private int _nesting;

        public PrefilterVisitor(List<Comparison> comparisons)
        {
            _comparisons = comparisons;
            _met = 0;
            _pending = 0;
            _nesting = 0;
        }

        public readonly bool AllMet => _comparisons.Count == 0 || _met == (_comparisons.Count == 64 ? ulong.MaxValue : (1UL << _comparisons.Count) - 1);

        public void Head(scoped in EventHead head) { }

        public void PropertyName(StrRef name, int index, int depth)
        {
            if (depth != 0 || _nesting != 0) return;
            _pending = 0;
            ReadOnlySpan<byte> utf8 = name.Utf8;
            for (int i = 0; i < _comparisons.Count; i++)
            {
                if (utf8.SequenceEqual(_comparisons[i].Name)) _pending |= 1UL << i;
            }
        }

        private void Judge(Kind kind, decimal number = 0, bool flag = false, ReadOnlySpan<byte> text = default, bool textJudgeable = true)
        {
            if (_pending == 0 || _nesting != 0) return;
            for (int i = 0; i < _comparisons.Count; i++)
            {
                if ((_pending & (1UL << i)) == 0) continue;
                Comparison c = _comparisons[i];
                bool mayHold = c.ValueKind != kind || kind switch
                {
                    Kind.Number => c.Number == number,
                    Kind.Bool => c.Bool == flag,
                    _ => !textJudgeable || text.SequenceEqual(c.Text),
                };
                if (mayHold) _met |= 1UL << i;
            }
            _pending = 0;
        }

        private void Other()
        {
            if (_nesting != 0) return;
            _met |= _pending;
            _pending = 0;
        }

        public void Null() => Other();
        public void Bool(bool value) => Judge(Kind.Bool, flag: value);
        public void Integer(long value, ValueTag tag) => Judge(Kind.Number, number: value);
        public void Unsigned(ulong value, ValueTag tag) => Judge(Kind.Number, number: value);
        public void Single(float value) => Other();
        public void Double(double value) => Other();
        public void Decimal(decimal value) => Judge(Kind.Number, number: value);

        // Bytes that are not UTF-8 read with U+FFFD in them: only the full comparison can judge those.
        public void String(Utf8Field value)
        {
            if (value.IsNull) Other();
            else Judge(Kind.Text, text: value.Bytes, textJudgeable: System.Text.Unicode.Utf8.IsValid(value.Bytes));
        }

        public void Char(char value) => Other();
        public void DateTime(DateTime value) => Other();
        public void DateTimeOffset(DateTimeOffset value) => Other();
        public void TimeSpan(TimeSpan value) => Other();
        public void Guid(Guid value) => Other();
        public void Bytes(ReadOnlySpan<byte> value) => Other();
        public void DateOnly(DateOnly value) => Other();
        public void TimeOnly(TimeOnly value) => Other();
        public void Opaque(StrRef typeName, Utf8Field text) => Other();
        public void Enum(StrRef typeName, ValueTag underlying, ulong bits, StrRef name) => Other();

        public void BeginSequence(int count)
        {
            Other();
            _nesting++;
        }

        public void SequenceElement(int index) { }
        public void EndSequence() => _nesting--;

        public void BeginStructure(int count)
        {
            Other();
            _nesting++;
        }

        public void EndStructure(StrRef typeTag, int count) => _nesting--;

        public void BeginDictionary(int count)
        {
            Other();
            _nesting++;
        }

        public void EndDictionary() => _nesting--;
        public void EndProperties() { }
    }
}
