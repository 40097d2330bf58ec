using System;

namespace Serilog.Sinks.Mmap.Reading;

/// <summary>
/// An exception read back from a log. The original object is gone; this one carries its type
/// name, message and full text, and <see cref="ToString"/> returns that text unchanged, so
/// formatters print exactly what was logged.
/// </summary>
public sealed class RecordedException : Exception
{
    private readonly string? _text;

    /// <summary>Creates the stand-in for a logged exception.</summary>
    public RecordedException(string? typeName, string? message, string? text) : base(message)
    {
        TypeName = typeName;
        _text = text;
    }

    /// <summary>The original exception's CLR type name.</summary>
    public string? TypeName { get; }

    /// <summary>The original exception's full text, as its <c>ToString()</c> returned it.</summary>
    public override string ToString() => _text ?? $"{TypeName}: {Message}";
}
