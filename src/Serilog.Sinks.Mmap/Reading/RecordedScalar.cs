using System;

namespace Serilog.Sinks.Mmap.Reading;

/// <summary>
/// A scalar of a type the log format has no tag for (a Uri, a custom type), read back as
/// its CLR type name and the text it was logged with. It renders as that text, unquoted, the way
/// Serilog renders the original object.
/// </summary>
public sealed class RecordedScalar : IFormattable
{
    /// <summary>Creates the stand-in.</summary>
    public RecordedScalar(string typeName, string? text)
    {
        TypeName = typeName;
        Text = text;
    }

    /// <summary>The original value's CLR type name.</summary>
    public string TypeName { get; }

    /// <summary>The original value's invariant-culture text.</summary>
    public string? Text { get; }

    /// <summary>The recorded text; formats cannot be applied to text, so the format is ignored.</summary>
    public string ToString(string? format, IFormatProvider? formatProvider) => Text ?? "";

    /// <inheritdoc />
    public override string ToString() => Text ?? "";
}
