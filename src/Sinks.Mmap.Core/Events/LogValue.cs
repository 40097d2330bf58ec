using System.Collections.Generic;

namespace Sinks.Mmap;

/// <summary>A property value read back from a log: a scalar, a sequence, a structure or a dictionary.</summary>
public abstract class LogValue
{
    private protected LogValue() { }
}

/// <summary>
/// A scalar that kept its CLR type: null, bool, the integer types, float, double, decimal, string,
/// char, DateTime, DateTimeOffset, TimeSpan, Guid, byte[], DateOnly or TimeOnly; an enum is a
/// <see cref="LogEnumValue"/>.
/// </summary>
public sealed class LogScalar : LogValue
{
    /// <summary>A scalar holding <paramref name="value"/>.</summary>
    public LogScalar(object? value) => Value = value;

    /// <summary>The value, with its original CLR type; null for a null value.</summary>
    public object? Value { get; }

    /// <summary>The shared null scalar.</summary>
    public static LogScalar Null { get; } = new(null);
}

/// <summary>A scalar whose CLR type the format has no tag for, kept as its type name and invariant text.</summary>
public sealed class LogOpaqueScalar : LogValue
{
    /// <summary>An opaque scalar.</summary>
    public LogOpaqueScalar(string typeName, string? text)
    {
        TypeName = typeName;
        Text = text;
    }

    /// <summary>The CLR type's full name.</summary>
    public string TypeName { get; }

    /// <summary>The value's text in the invariant culture.</summary>
    public string? Text { get; }

    /// <summary>
    /// True for the truncation marker: the writer put it in place of a sequence, structure or
    /// dictionary whose values were nested deeper than the format's 64 levels (FORMAT.md, *Depth*).
    /// </summary>
    public bool IsTruncationMarker => TypeName == Format.FormatConstants.TruncatedTypeName;
}

/// <summary>An ordered sequence of values.</summary>
public sealed class LogSequence : LogValue
{
    /// <summary>A sequence of <paramref name="elements"/>.</summary>
    public LogSequence(IReadOnlyList<LogValue> elements) => Elements = elements;

    /// <summary>The elements in order.</summary>
    public IReadOnlyList<LogValue> Elements { get; }
}

/// <summary>A structure: named properties with an optional type tag.</summary>
public sealed class LogStructure : LogValue
{
    /// <summary>A structure.</summary>
    public LogStructure(string? typeTag, IReadOnlyList<LogProperty> properties)
    {
        TypeTag = typeTag;
        Properties = properties;
    }

    /// <summary>The type tag, or null.</summary>
    public string? TypeTag { get; }

    /// <summary>The properties in order.</summary>
    public IReadOnlyList<LogProperty> Properties { get; }
}

/// <summary>A dictionary of key/value pairs.</summary>
public sealed class LogDictionary : LogValue
{
    /// <summary>A dictionary.</summary>
    public LogDictionary(IReadOnlyList<KeyValuePair<LogValue, LogValue>> entries) => Entries = entries;

    /// <summary>The entries in the order they were written.</summary>
    public IReadOnlyList<KeyValuePair<LogValue, LogValue>> Entries { get; }
}

/// <summary>A named value.</summary>
public readonly record struct LogProperty(string Name, LogValue Value);
