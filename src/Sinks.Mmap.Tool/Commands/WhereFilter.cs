using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Serilog.Events;
using Serilog.Expressions;
using Serilog.Sinks.Mmap.Reading;
using Sinks.Mmap.Format;
using Sinks.Mmap.Reading;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>
/// <c>--where</c>: a Serilog.Expressions filter (the language of Seq and of <c>Filter.ByExcluding</c> in
/// Serilog's configuration) over the events of any producer. Each event is read back as the Serilog
/// <see cref="LogEvent"/> it was, by the Serilog adapter's reader (an NLog event's logger name is its
/// <c>SourceContext</c>), and the expression decides.
/// </summary>
/// <remarks>
/// Fast paths: decoding an event and building a <see cref="LogEvent"/> costs far more than walking its
/// bytes, so the conditions every match must meet are checked first, on the record: a level the filter
/// demands (<c>@l = 'Error'</c>) joins the frame's level check, and a property compared with a literal
/// (<c>OrderId = 1001</c>, <c>Customer = 'x'</c>) is looked up in the body without decoding it. Both only
/// when the expression is a conjunction of such comparisons and others (no <c>or</c> at its top level), and
/// they only reject an event that cannot match; the expression still decides for the rest.
/// </remarks>
internal sealed partial class WhereFilter
{
    private readonly CompiledExpression _compiled;
    private readonly PropertyCondition[] _conditions;

    private WhereFilter(string text, CompiledExpression compiled, MmapLevel? level, PropertyCondition[] conditions)
    {
        Text = text;
        _compiled = compiled;
        MinimumLevel = level;
        _conditions = conditions;
    }

    public string Text { get; }

    /// <summary>A level every match has at least (from <c>@l = 'Error'</c>), checked on the frame; or null.</summary>
    public MmapLevel? MinimumLevel { get; }

    /// <summary>True when some property comparisons can be checked on the record's bytes (<see cref="MayMatch"/>).</summary>
    public bool HasConditions => _conditions.Length > 0;

    [GeneratedRegex(@"column (\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex ErrorColumn();

    [GeneratedRegex(@"^(?<name>@l|[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'(?<str>(?:[^']|'')*)'|(?<num>-?\d{1,18}(?:\.\d{1,9})?)|(?<bool>true|false))$", RegexOptions.CultureInvariant)]
    private static partial Regex Comparison();

    /// <summary>Compiles <paramref name="text"/>; a usage error that quotes the expression from where it went wrong.</summary>
    public static WhereFilter Compile(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ToolException("--where: the expression is empty; e.g. --where \"@l = 'Error' and OrderId = 1001\"");
        bool compiledOk;
        CompiledExpression? compiled;
        string? error;
        try
        {
            compiledOk = SerilogExpression.TryCompile(text, CultureInfo.InvariantCulture, new StaticMemberNameResolver(typeof(WhereFunctions)), out compiled, out error);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
        {
            // Names the language does not know (a function, an operator's arguments) are thrown, not returned.
            compiledOk = false;
            compiled = null;
            error = e.Message;
        }
        if (!compiledOk)
        {
            string where = "";
            if (ErrorColumn().Match(error ?? "") is { Success: true } column
                && int.TryParse(column.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int at) && at >= 1 && at <= text.Length + 1)
            {
                where = at > text.Length ? " (at the end of the expression)" : $" (here: '{text.Substring(at - 1)}')";
            }
            throw new ToolException($"--where: {error?.TrimEnd('.')}{where}, in: {text}; see https://github.com/serilog/serilog-expressions for the language");
        }
        MmapLevel? level = null;
        var conditions = new List<PropertyCondition>();
        foreach (string conjunct in Conjuncts(text))
        {
            Match m = Comparison().Match(conjunct.Trim());
            if (!m.Success) continue;
            string name = m.Groups["name"].Value;
            if (name == "@l")
            {
                if (m.Groups["str"].Success && FilterOptions.TryParseSerilogLevel(m.Groups["str"].Value) is { } l) level = l;
                continue;
            }
            // Names the reading synthesises (an NLog logger becomes SourceContext) and words of the language are left to the expression.
            if (name is "SourceContext" or "true" or "false" or "null" or "and" or "or" or "not" or "like" or "in" or "is" or "ci") continue;
            if (conditions.Count == 64) break;
            conditions.Add(m.Groups["str"].Success
                ? PropertyCondition.ForString(name, m.Groups["str"].Value.Replace("''", "'", StringComparison.Ordinal))
                : m.Groups["num"].Success
                    ? PropertyCondition.ForNumber(name, decimal.Parse(m.Groups["num"].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture))
                    : PropertyCondition.ForBool(name, m.Groups["bool"].Value == "true"));
        }
        return new WhereFilter(text, compiled!, level, conditions.ToArray());
    }

    /// <summary>
    /// The parts of <paramref name="text"/> joined by a top-level <c>and</c>; none when it has a top-level
    /// <c>or</c> (then no part is a condition every match meets).
    /// </summary>
    private static List<string> Conjuncts(string text)
    {
        var parts = new List<string>();
        int depth = 0;
        int start = 0;
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\'') { quoted = !quoted; continue; }
            if (quoted) continue;
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (depth == 0 && IsWordAt(text, i, "or")) return new List<string>();
            else if (depth == 0 && IsWordAt(text, i, "and"))
            {
                parts.Add(text.Substring(start, i - start));
                start = i + 3;
                i += 2;
            }
        }
        parts.Add(text.Substring(start));
        return parts;
    }

    private static bool IsWordAt(string text, int i, string word) =>
        string.Compare(text, i, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0
        && (i == 0 || !IsWordChar(text[i - 1]))
        && (i + word.Length == text.Length || !IsWordChar(text[i + word.Length]));

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '@';

    /// <summary>
    /// False when the current Event record cannot match (a compared property is missing or holds another
    /// value) or does not decode (<paramref name="decodes"/> false); true when the expression must decide.
    /// </summary>
    public bool MayMatch(MmapRecordStream records, out bool decodes)
    {
        var visitor = new ConditionVisitor(_conditions);
        decodes = records.Walk(ref visitor);
        return decodes && visitor.AllMet;
    }

    /// <summary>
    /// True when the expression is true for <paramref name="evt"/>, read back as the Serilog adapter reads
    /// events (<see cref="MmapLogEventReader.ToLogEvent"/>: an NLog event's logger name is its SourceContext,
    /// its rendered message its template).
    /// </summary>
    public bool Matches(MmapEvent evt) => ExpressionResult.IsTrue(_compiled(MmapLogEventReader.ToLogEvent(evt)));
}

/// <summary>Functions --where adds to Serilog.Expressions' own.</summary>
internal static class WhereFunctions
{
    /// <summary>
    /// <c>Has(x)</c>: true when <c>x</c> is defined (Seq's name, which Serilog users write; Serilog.Expressions
    /// calls it <c>IsDefined</c>).
    /// </summary>
    public static LogEventPropertyValue? Has(LogEventPropertyValue? value) => new ScalarValue(value is not null);
}

/// <summary>A top-level property compared with a literal: <c>Name = 1001</c>, <c>Name = 'text'</c>, <c>Name = true</c>.</summary>
internal sealed class PropertyCondition
{
    public enum Kind { Number, Text, Bool }

    private PropertyCondition(string name, Kind kind)
    {
        NameUtf8 = Encoding.UTF8.GetBytes(name);
        ValueKind = kind;
    }

    public byte[] NameUtf8 { get; }
    public Kind ValueKind { get; }
    public decimal Number { get; private init; }
    public byte[] TextUtf8 { get; private init; } = Array.Empty<byte>();
    public bool Bool { get; private init; }

    public static PropertyCondition ForNumber(string name, decimal value) => new(name, Kind.Number) { Number = value };
    public static PropertyCondition ForString(string name, string value) => new(name, Kind.Text) { TextUtf8 = Encoding.UTF8.GetBytes(value) };
    public static PropertyCondition ForBool(string name, bool value) => new(name, Kind.Bool) { Bool = value };
}

/// <summary>
/// Walks an event's body and marks each condition that its property may meet: a value of the compared
/// kind that equals the literal, or any value whose comparison only the expression can judge. A
/// condition whose property is missing, or holds a number, text or bool other than the literal, stays unmet.
/// </summary>
internal struct ConditionVisitor : IEventBodyVisitor
{
    private readonly PropertyCondition[] _conditions;
    private ulong _met;
    private ulong _pending;
    private int _nesting;

    public ConditionVisitor(PropertyCondition[] conditions)
    {
        _conditions = conditions;
        _met = 0;
        _pending = 0;
        _nesting = 0;
    }

    public readonly bool AllMet => _conditions.Length == 0 || _met == (_conditions.Length == 64 ? ulong.MaxValue : (1UL << _conditions.Length) - 1);

    public void Head(scoped in EventHead head) { }

    public void PropertyName(StrRef name, int index, int depth)
    {
        if (depth != 0 || _nesting != 0) return;
        _pending = 0;
        ReadOnlySpan<byte> utf8 = name.Utf8;
        for (int i = 0; i < _conditions.Length; i++)
        {
            if (utf8.SequenceEqual(_conditions[i].NameUtf8)) _pending |= 1UL << i;
        }
    }

    private void Maybe()
    {
        _met |= _pending;
        _pending = 0;
    }

    private void Number(decimal value)
    {
        if (_pending == 0 || _nesting != 0) return;
        for (int i = 0; i < _conditions.Length; i++)
        {
            if ((_pending & (1UL << i)) == 0) continue;
            PropertyCondition c = _conditions[i];
            if (c.ValueKind != PropertyCondition.Kind.Number || c.Number == value) _met |= 1UL << i;
        }
        _pending = 0;
    }

    private void Other()
    {
        if (_nesting == 0) Maybe();
    }

    public void Null() => Other();

    public void Bool(bool value)
    {
        if (_pending == 0 || _nesting != 0) return;
        for (int i = 0; i < _conditions.Length; i++)
        {
            if ((_pending & (1UL << i)) == 0) continue;
            PropertyCondition c = _conditions[i];
            if (c.ValueKind != PropertyCondition.Kind.Bool || c.Bool == value) _met |= 1UL << i;
        }
        _pending = 0;
    }

    public void Integer(long value, ValueTag tag) => Number(value);
    public void Unsigned(ulong value, ValueTag tag) => Number(value);
    public void Single(float value) => Other();
    public void Double(double value) => Other();
    public void Decimal(decimal value) => Number(value);

    public void String(Utf8Field value)
    {
        if (_pending == 0 || _nesting != 0) return;
        for (int i = 0; i < _conditions.Length; i++)
        {
            if ((_pending & (1UL << i)) == 0) continue;
            PropertyCondition c = _conditions[i];
            // Bytes that are not UTF-8 read with U+FFFD in them: only the expression can compare those.
            if (c.ValueKind != PropertyCondition.Kind.Text || value.IsNull || value.Bytes.SequenceEqual(c.TextUtf8) || !System.Text.Unicode.Utf8.IsValid(value.Bytes))
            {
                _met |= 1UL << i;
            }
        }
        _pending = 0;
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
