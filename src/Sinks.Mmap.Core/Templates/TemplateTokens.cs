using System;
using System.Collections.Generic;

namespace Sinks.Mmap.Templates;

/// <summary>A parsed message or output template: its original text and its tokens in order.</summary>
internal sealed class ParsedTemplate
{
    public ParsedTemplate(string text, TemplateToken[] tokens)
    {
        Text = text;
        Tokens = tokens;
        bool anyFormat = false;
        for (int i = 0; i < tokens.Length; i++)
        {
            if (tokens[i].IsProperty && tokens[i].Format != null)
            {
                anyFormat = true;
                break;
            }
        }
        HasFormattedProperties = anyFormat;
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>Text and property tokens in order.</summary>
    public TemplateToken[] Tokens { get; }

    /// <summary>True when at least one property token carries a format string.</summary>
    public bool HasFormattedProperties { get; }

    /// <summary>True when a property token of this template names <paramref name="propertyName"/>.</summary>
    public bool ContainsProperty(string propertyName)
    {
        if (Tokens.Length > IndexAbove)
        {
            // Asked once per event property ({Properties}): a scan each time would cost properties × holes.
            return (_names ??= BuildNames(Tokens)).Contains(propertyName);
        }
        for (int i = 0; i < Tokens.Length; i++)
        {
            if (Tokens[i].IsProperty && Tokens[i].PropertyName == propertyName)
                return true;
        }
        return false;
    }

    private const int IndexAbove = 16;

    // Templates are cached and shared between threads: either thread's set is the same.
    private HashSet<string>? _names;

    private static HashSet<string> BuildNames(TemplateToken[] tokens)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (TemplateToken token in tokens)
        {
            if (token.IsProperty) names.Add(token.PropertyName);
        }
        return names;
    }
}

/// <summary>How a property token asks its value to be captured; kept for completeness, rendering ignores it.</summary>
internal enum TokenDestructuring : byte
{
    Default = 0,
    Stringify = 1,
    Destructure = 2,
}

/// <summary>
/// A template token: literal text (with <c>{{</c>/<c>}}</c> already unescaped) or a property hole
/// with optional destructuring hint, alignment and format.
/// </summary>
internal sealed class TemplateToken
{
    private TemplateToken(bool isProperty, string text, string propertyName, string? format, int? alignmentWidth, bool alignLeft, TokenDestructuring destructuring)
    {
        HasAlignment = alignmentWidth is not null;
        IsProperty = isProperty;
        Text = text;
        PropertyName = propertyName;
        Format = format;
        AlignmentWidth = alignmentWidth ?? 0;
        AlignLeft = alignLeft;
        Destructuring = destructuring;
    }

    public static TemplateToken ForText(string text) => new(false, text, string.Empty, null, null, false, TokenDestructuring.Default);

    // alignmentWidth: the alignment's width (0 is a valid width), or null for none.
    public static TemplateToken ForProperty(string propertyName, string rawText, string? format, int? alignmentWidth, bool alignLeft, TokenDestructuring destructuring) =>
        new(true, rawText, propertyName, format, alignmentWidth, alignLeft, destructuring);

    /// <summary>True for a property hole, false for literal text.</summary>
    public bool IsProperty { get; }

    /// <summary>The literal text, or for a property token its raw text including the braces.</summary>
    public string Text { get; }

    /// <summary>The property name (empty for text tokens).</summary>
    public string PropertyName { get; }

    /// <summary>The format string after <c>:</c>, or null.</summary>
    public string? Format { get; }

    /// <summary>The alignment width, or 0 when there is no alignment.</summary>
    public int AlignmentWidth { get; }

    /// <summary>True when the alignment pads on the right (a negative alignment).</summary>
    public bool AlignLeft { get; }

    /// <summary>The destructuring hint.</summary>
    public TokenDestructuring Destructuring { get; }

    /// <summary>True when the token has an alignment (possibly of width 0, which pads nothing).</summary>
    public bool HasAlignment { get; }
}
