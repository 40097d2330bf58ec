using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Serilog.Events;
using Serilog.Expressions;
using Serilog.Sinks.Mmap.Reading;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>
/// <c>--where</c>: a Serilog.Expressions filter (the language of Seq and of <c>Filter.ByExcluding</c> in
/// Serilog's configuration) over the events of any producer. Each event is read back as the Serilog
/// <see cref="LogEvent"/> it was, by the Serilog adapter's reader (an NLog event's logger name is its
/// <c>SourceContext</c>), and the expression decides.
/// </summary>
/// <remarks>
/// Fast paths: building a <see cref="LogEvent"/> and evaluating the expression costs more than a look at
/// the record or the decoded event, so the conditions every match must meet are checked first: a level the
/// filter demands (<c>@l = 'Error'</c>) joins the frame's level check, and a property compared with a literal
/// (<c>OrderId = 1001</c>, <c>Customer = 'x'</c>) is looked up in the decoded event's properties. Both only
/// when the expression is a conjunction of such comparisons and others (no <c>or</c> at its top level), and
/// they only reject an event that cannot match; the expression still decides for the rest.
/// </remarks>
internal sealed partial class WhereFilter
{
    private readonly CompiledExpression _compiled;
    private readonly PropertyCondition[] _conditions;
    private readonly PropertyPrefilter _prefilter;

    private WhereFilter(string text, CompiledExpression compiled, MmapLevel? level, PropertyCondition[] conditions)
    {
        Text = text;
        _compiled = compiled;
        MinimumLevel = level;
        _conditions = conditions;
        _prefilter = new PropertyPrefilter();
        foreach (PropertyCondition c in conditions)
        {
            _ = c.ValueKind switch
            {
                PropertyCondition.Kind.Number => _prefilter.RequireNumber(c.Name, c.Number),
                PropertyCondition.Kind.Text => _prefilter.RequireText(c.Name, c.Text),
                _ => _prefilter.RequireBool(c.Name, c.Bool),
            };
        }
    }

    public string Text { get; }

    /// <summary>True when some property comparisons can be checked on the record's bytes (<see cref="MayMatch(MmapRecordStream)"/>).</summary>
    public bool HasConditions => _conditions.Length > 0;

    /// <summary>
    /// False when the current Event record cannot match (a compared property is missing or holds another
    /// value) or does not decode (the stream counts it), read on its bytes without decoding it;
    /// true when the expression must decide.
    /// </summary>
    public bool MayMatch(MmapRecordStream records) => _prefilter.MayMatch(records);

    /// <summary>A level every match has at least (from <c>@l = 'Error'</c>), checked on the frame; or null.</summary>
    public MmapLevel? MinimumLevel { get; }

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
    /// True when the expression is true for <paramref name="evt"/>, read back as the Serilog adapter reads
    /// events (<see cref="MmapLogEventReader.ToLogEvent"/>: an NLog event's logger name is its SourceContext,
    /// its rendered message its template). The property comparisons every match meets are checked first, on
    /// the event's properties, so an event that cannot match costs no <see cref="LogEvent"/>.
    /// </summary>
    public bool Matches(MmapEvent evt) => MayMatch(evt) && ExpressionResult.IsTrue(_compiled(MmapLogEventReader.ToLogEvent(evt)));

    /// <summary>
    /// False when <paramref name="evt"/> cannot match: a compared property is missing, or every top-level
    /// property of that name holds a number, text or bool other than the literal. Any other value (or a
    /// comparison of another kind) is left to the expression.
    /// </summary>
    private bool MayMatch(MmapEvent evt)
    {
        IReadOnlyList<LogProperty> properties = evt.Properties;
        foreach (PropertyCondition condition in _conditions)
        {
            bool met = false;
            for (int i = 0; i < properties.Count && !met; i++)
            {
                if (properties[i].Name == condition.Name) met = condition.MayHold(properties[i].Value);
            }
            if (!met) return false;
        }
        return true;
    }
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
        Name = name;
        ValueKind = kind;
    }

    public string Name { get; }
    public Kind ValueKind { get; }
    public decimal Number { get; private init; }
    public string Text { get; private init; } = "";
    public bool Bool { get; private init; }

    public static PropertyCondition ForNumber(string name, decimal value) => new(name, Kind.Number) { Number = value };
    public static PropertyCondition ForString(string name, string value) => new(name, Kind.Text) { Text = value };
    public static PropertyCondition ForBool(string name, bool value) => new(name, Kind.Bool) { Bool = value };

    /// <summary>
    /// False only when <paramref name="value"/> is a number, text or bool of this condition's kind other
    /// than the literal; true for whatever only the expression can judge.
    /// </summary>
    public bool MayHold(LogValue value) => value is not LogScalar scalar || scalar.Value switch
    {
        sbyte n => Equal(n),
        byte n => Equal(n),
        short n => Equal(n),
        ushort n => Equal(n),
        int n => Equal(n),
        uint n => Equal(n),
        long n => Equal(n),
        ulong n => Equal(n),
        decimal n => Equal(n),
        bool b => ValueKind != Kind.Bool || Bool == b,
        // Text that was not valid UTF-8 reads with U+FFFD in it: only the expression can compare that.
        string t => ValueKind != Kind.Text || string.Equals(t, Text, StringComparison.Ordinal) || t.Contains('\uFFFD', StringComparison.Ordinal),
        _ => true,
    };

    private bool Equal(decimal value) => ValueKind != Kind.Number || Number == value;
}
