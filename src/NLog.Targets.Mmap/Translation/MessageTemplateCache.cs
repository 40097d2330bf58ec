using System;
using System.Collections.Concurrent;

namespace NLog.Targets.Mmap.Translation;

/// <summary>
/// The property names of an NLog message template, parsed once per distinct template string. With
/// the names cached, an event's properties are its <see cref="LogEventInfo.Parameters"/> paired with
/// these names: nothing is allocated per event (unlike <see cref="LogEventInfo.MessageTemplateParameters"/>).
/// </summary>
internal sealed class TemplateInfo
{
    public static readonly TemplateInfo NotATemplate = new(Array.Empty<string>(), Array.Empty<int>());

    public TemplateInfo(string[] names, int[] parameterIndexes, string[]? literals = null, string? source = null, Capture[]? captures = null)
    {
        Source = source;
        Names = names;
        ParameterIndexes = parameterIndexes;
        Literals = literals;
        Captures = captures;
    }

    /// <summary>The template text this was parsed from (the instance first seen), or null.</summary>
    public string? Source { get; }

    /// <summary>Each property's name, distinct, in order of first appearance.</summary>
    public string[] Names { get; }

    /// <summary>For each name, the index into <see cref="LogEventInfo.Parameters"/> holding its value.</summary>
    public int[] ParameterIndexes { get; }

    /// <summary>
    /// For each name, how its (first) hole asks for the value (<c>@</c> destructures, <c>$</c> stringifies);
    /// null when every hole takes its value as it is, the usual case.
    /// </summary>
    public Capture[]? Captures { get; }

    /// <summary>True when the template has at least one hole.</summary>
    public bool HasHoles => Names.Length > 0;

    /// <summary>
    /// The text around the holes, braces unescaped: hole n (which takes parameter n) sits between
    /// <c>Literals[n]</c> and <c>Literals[n + 1]</c>. Null unless every hole is a plain name (no
    /// <c>@</c>/<c>$</c>, alignment or format, not positional), the only shape
    /// <see cref="NLogMessageRenderer"/> renders itself.
    /// </summary>
    public string[]? Literals { get; }

    /// <summary>The holes in the template, repeated names included; valid when <see cref="Literals"/> is set.</summary>
    public int HoleCount => Literals is null ? 0 : Literals.Length - 1;

    /// <summary>The parameter types and culture for which <see cref="NLogMessageRenderer"/> was checked against NLog's own rendering.</summary>
    public volatile RenderingCheck? Checked;
}

/// <summary>One comparison of <see cref="NLogMessageRenderer"/> with NLog's rendering: for these parameter types and this culture, they agree or not.</summary>
internal sealed class RenderingCheck
{
    public RenderingCheck(byte[] parameterKinds, System.Globalization.CultureInfo culture, bool agrees, bool plain, bool plainOnlyWhenFinite)
    {
        PlainOnlyWhenFinite = plainOnlyWhenFinite;
        ParameterKinds = parameterKinds;
        Culture = culture;
        Agrees = agrees;
        Plain = plain;
    }

    /// <summary>The parameters' kinds (<c>NLogMessageRenderer.KindOf</c>), each one of a type the renderer formats.</summary>
    public byte[] ParameterKinds { get; }
    public System.Globalization.CultureInfo Culture { get; }
    public bool Agrees { get; }

    /// <summary>
    /// NLog's rendering is also the core's plain rendering of the template (for any values of these
    /// types in this culture), so it need not be stored: readers rebuild it.
    /// </summary>
    public bool Plain { get; }

    /// <summary>Plain only for events whose doubles and floats are finite (the culture writes NaN and infinity its own way).</summary>
    public bool PlainOnlyWhenFinite { get; }
}

internal static class MessageTemplateCache
{
    // Templates are usually literals, so the set is small; past this many, parse without caching.
    private const int MaxEntries = 2048;
    private static readonly ConcurrentDictionary<string, TemplateInfo> Cache = new(StringComparer.Ordinal);

    public static TemplateInfo Get(string template)
    {
        if (Cache.TryGetValue(template, out TemplateInfo? info))
        {
            return info;
        }
        info = Parse(template);
        if (Cache.Count < MaxEntries)
        {
            Cache.TryAdd(template, info);
        }
        return info;
    }

    /// <summary>
    /// Parses holes as NLog does: <c>{{</c> and <c>}}</c> are literal braces; a hole is
    /// <c>{[@$]name[,alignment][:format]}</c>. When every hole is a number the template is
    /// positional (string.Format style) and a hole's number is its parameter index; otherwise the
    /// n-th hole takes the n-th parameter. A repeated name keeps its first value.
    /// </summary>
    internal static TemplateInfo Parse(string template)
    {
        var names = new System.Collections.Generic.List<string>();
        var holeCaptures = new System.Collections.Generic.List<Capture>();
        bool anyCapture = false;
        var literals = new System.Collections.Generic.List<string>();
        var literal = new System.Text.StringBuilder();
        bool positional = true;
        bool plainHoles = true;
        int i = 0;
        while (i < template.Length)
        {
            char c = template[i];
            if (c == '{')
            {
                if (i + 1 < template.Length && template[i + 1] == '{')
                {
                    literal.Append('{');
                    i += 2;
                    continue;
                }
                int close = template.IndexOf('}', i + 1);
                if (close < 0)
                {
                    literal.Append(template, i, template.Length - i);
                    break;
                }
                int start = i + 1;
                Capture capture = Capture.Normal;
                if (start < close && (template[start] == '@' || template[start] == '$'))
                {
                    capture = template[start] == '@' ? Capture.Serialize : Capture.Stringify;
                    anyCapture = true;
                    start++;
                    plainHoles = false;
                }
                int end = start;
                while (end < close && template[end] != ',' && template[end] != ':')
                {
                    end++;
                }
                if (end == start)
                {
                    // "{}" or "{:x}" is not a hole NLog binds; treat the template as plain text.
                    return TemplateInfo.NotATemplate;
                }
                plainHoles &= end == close;
                string name = template.Substring(start, end - start);
                positional &= IsDigits(name);
                names.Add(name);
                holeCaptures.Add(capture);
                literals.Add(literal.ToString());
                literal.Clear();
                i = close + 1;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                literal.Append('}');
                i += 2;
            }
            else
            {
                literal.Append(c);
                i++;
            }
        }
        if (names.Count == 0)
        {
            return TemplateInfo.NotATemplate;
        }
        literals.Add(literal.ToString());

        var distinct = new System.Collections.Generic.List<string>(names.Count);
        var indexes = new System.Collections.Generic.List<int>(names.Count);
        var captures = anyCapture ? new System.Collections.Generic.List<Capture>(names.Count) : null;
        // A set once there are more than a few holes: a 100,000-hole template is parsed in linear time.
        var seen = names.Count > 8 ? new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal) : null;
        for (int n = 0; n < names.Count; n++)
        {
            if (seen is not null ? !seen.Add(names[n]) : distinct.Contains(names[n]))
            {
                continue;
            }
            if (positional && names[n].Length > 6)
            {
                // Not an index anyone means; string.Format would fail on it too.
                return TemplateInfo.NotATemplate;
            }
            int index = positional ? int.Parse(names[n], System.Globalization.CultureInfo.InvariantCulture) : n;
            distinct.Add(names[n]);
            indexes.Add(index);
            captures?.Add(holeCaptures[n]);
        }
        return new TemplateInfo(distinct.ToArray(), indexes.ToArray(), plainHoles && !positional ? literals.ToArray() : null, template, captures?.ToArray());
    }

    private static bool IsDigits(string s)
    {
        foreach (char c in s)
        {
            if (c < '0' || c > '9') return false;
        }
        return s.Length > 0;
    }
}
