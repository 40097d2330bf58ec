using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Sinks.Mmap.Templates;

/// <summary>
/// Parses Serilog message-template syntax into text and property tokens, following the rules of
/// Serilog 4's parser (4.4.0, tested token for token): <c>{{</c> and <c>}}</c> are escapes, a lone
/// <c>}</c> is text, a hole runs to the next <c>}</c>, names may be dotted (<c>{Order.Id}</c>), formats
/// take any character, alignments any width (0 too), and any malformed hole is kept as literal text.
/// </summary>
internal static class TemplateParser
{
    private const int MaxCachedTemplates = 1000;
    private const int MaxCachedTemplateLength = 1024;

    // Hashtable allows any number of lock-free readers alongside one writer; writers take the lock.
    private static readonly Hashtable Cache = new(StringComparer.Ordinal);
    private static readonly object CacheLock = new();

    /// <summary>The parsed form of <paramref name="template"/>, from the bounded cache when possible.</summary>
    public static ParsedTemplate GetOrParse(string template)
    {
        if (template.Length > MaxCachedTemplateLength)
            return Parse(template);

        if (Cache[template] is ParsedTemplate cached)
            return cached;

        ParsedTemplate parsed = Parse(template);
        lock (CacheLock)
        {
            if (Cache.Count >= MaxCachedTemplates)
                Cache.Clear();
            Cache[template] = parsed;
        }
        return parsed;
    }

    /// <summary>Parses without consulting the cache.</summary>
    public static ParsedTemplate Parse(string template)
    {
        var tokens = new List<TemplateToken>();
        if (template.Length == 0)
        {
            tokens.Add(TemplateToken.ForText(string.Empty));
            return new ParsedTemplate(template, tokens.ToArray());
        }

        int position = 0;
        while (true)
        {
            int textStart = position;
            string text = ReadText(template, position, out position);
            if (position > textStart)
                tokens.Add(TemplateToken.ForText(text));
            if (position == template.Length)
                break;

            int holeStart = position;
            TemplateToken hole = ReadHole(template, position, out position);
            if (position > holeStart)
                tokens.Add(hole);
            if (position == template.Length)
                break;
        }
        return new ParsedTemplate(template, tokens.ToArray());
    }

    // Reads literal text from start up to (not including) the next unescaped '{'.
    private static string ReadText(string template, int start, out int next)
    {
        int i = start;
        StringBuilder? escaped = null;
        while (i < template.Length)
        {
            char c = template[i];
            if (c == '{')
            {
                if (i + 1 < template.Length && template[i + 1] == '{')
                {
                    escaped ??= new StringBuilder().Append(template, start, i - start);
                    escaped.Append('{');
                    i += 2;
                    continue;
                }
                break;
            }

            if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                escaped ??= new StringBuilder().Append(template, start, i - start);
                escaped.Append('}');
                i += 2;
                continue;
            }

            escaped?.Append(c);
            i++;
        }

        next = i;
        return escaped != null ? escaped.ToString() : template.Substring(start, i - start);
    }

    // Reads a hole starting at the '{' at start, through the next '}' whatever lies between (Serilog 4);
    // malformed holes come back as text tokens, and a '{' with no '}' after it is text to the end.
    private static TemplateToken ReadHole(string template, int start, out int next)
    {
        int close = template.IndexOf('}', start + 1);
        if (close == -1)
        {
            next = template.Length;
            return TemplateToken.ForText(template.Substring(start));
        }

        next = close + 1;
        string rawText = template.Substring(start, next - start);
        string content = rawText.Substring(1, rawText.Length - 2);
        if (content.Length == 0)
            return TemplateToken.ForText(rawText);

        if (!SplitContent(content, out string nameWithHint, out string? format, out string? alignment))
            return TemplateToken.ForText(rawText);

        string name = nameWithHint;
        TokenDestructuring destructuring = TokenDestructuring.Default;
        if (name.Length != 0 && (name[0] == '@' || name[0] == '$'))
        {
            destructuring = name[0] == '@' ? TokenDestructuring.Destructure : TokenDestructuring.Stringify;
            name = name.Substring(1);
        }

        if (name.Length == 0 || !IsValidName(name))
            return TemplateToken.ForText(rawText);

        // A format may hold any character but '}', which ends the hole.
        int? width = null;
        bool alignLeft = false;
        if (alignment != null)
        {
            // int.MinValue has no absolute value (Serilog's parser throws on it): text, for a reader of hostile logs.
            if (alignment[0] == '+' || !int.TryParse(alignment, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int parsed) || parsed == int.MinValue)
                return TemplateToken.ForText(rawText);
            alignLeft = alignment[0] == '-';
            width = Math.Abs(parsed);
        }

        return TemplateToken.ForProperty(name, rawText, format, width, alignLeft, destructuring);
    }

    // Positional (all digits), or dotted identifiers: each part starts with a letter or '_' and goes on
    // with letters, digits and '_'; a name cannot end with a '.'.
    private static bool IsValidName(string name)
    {
        if (char.IsDigit(name[0]))
        {
            for (int k = 0; k < name.Length; k++)
            {
                if (!char.IsDigit(name[k]))
                    return false;
            }
            return true;
        }

        bool partStart = true;
        for (int k = 0; k < name.Length; k++)
        {
            char c = name[k];
            if (partStart)
            {
                if (!char.IsLetter(c) && c != '_')
                    return false;
                partStart = false;
            }
            else if (c == '.')
            {
                partStart = true;
            }
            else if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }
        return !partStart;
    }

    // Splits "name[,alignment][:format]"; the first ':' starts the format, so a ',' after it is format text.
    private static bool SplitContent(string content, out string nameWithHint, out string? format, out string? alignment)
    {
        int colon = content.IndexOf(':');
        int comma = content.IndexOf(',');
        format = null;
        alignment = null;

        if (colon == -1 && comma == -1)
        {
            nameWithHint = content;
            return true;
        }

        if (comma == -1 || (colon != -1 && comma > colon))
        {
            nameWithHint = content.Substring(0, colon);
            format = colon == content.Length - 1 ? null : content.Substring(colon + 1);
            return true;
        }

        nameWithHint = content.Substring(0, comma);
        if (colon == -1)
        {
            if (comma == content.Length - 1)
                return false;
            alignment = content.Substring(comma + 1);
            return true;
        }

        if (comma == colon - 1)
            return false;

        alignment = content.Substring(comma + 1, colon - comma - 1);
        format = colon == content.Length - 1 ? null : content.Substring(colon + 1);
        return true;
    }
}
