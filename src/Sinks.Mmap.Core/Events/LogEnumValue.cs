using System;
using System.Globalization;

namespace Sinks.Mmap;

/// <summary>
/// An enum value read back from a log (FORMAT.md 1.2, tag 0x17), as the <see cref="LogScalar.Value"/>
/// of a <see cref="LogScalar"/>. It keeps what a renderer needs without loading the enum's type: the
/// type's name, the number, and the name the value had when it was logged. It formats as the enum
/// itself does, so every renderer that calls <see cref="IFormattable.ToString(string?, IFormatProvider?)"/>
/// (Serilog's, and this library's) writes what it would have written for the original value:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>no format, <c>G</c>, <c>g</c>, <c>F</c>, <c>f</c>: <see cref="Name"/> (a [Flags] combination reads
/// <c>Red, Blue</c>, an undefined value its number);</item>
/// <item><c>D</c>, <c>d</c>: the number, in the invariant culture;</item>
/// <item><c>X</c>, <c>x</c>: the number in upper-case hexadecimal, two digits a byte of the underlying
/// type, a negative value as its two's complement (what .NET writes for both);</item>
/// <item>any other format: <see cref="FormatException"/>, as <see cref="Enum.ToString(string?)"/> throws.</item>
/// </list>
/// <para>JSON and CLEF writers write <see cref="ToString()"/>, the name, as a string. One difference from
/// the original remains: <c>F</c> on an enum without [Flags] whose value is a combination of defined
/// values gives the number here (the stored name), where <see cref="Enum.ToString(string?)"/> would list
/// the names.</para>
/// </remarks>
public sealed class LogEnumValue : IFormattable, IEquatable<LogEnumValue>
{
    /// <summary>An enum value.</summary>
    /// <param name="typeName">The enum's CLR type name.</param>
    /// <param name="underlyingValue">The number, boxed as the enum's underlying type: <see cref="sbyte"/>,
    /// <see cref="byte"/>, <see cref="short"/>, <see cref="ushort"/>, <see cref="int"/>, <see cref="uint"/>,
    /// <see cref="long"/> or <see cref="ulong"/>.</param>
    /// <param name="name">The value's <c>ToString()</c> when it was logged.</param>
    public LogEnumValue(string typeName, object underlyingValue, string name)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(underlyingValue);
        ArgumentNullException.ThrowIfNull(name);
        if (underlyingValue is not (sbyte or byte or short or ushort or int or uint or long or ulong))
        {
            throw new ArgumentException("an enum's underlying value is one of the eight integer types", nameof(underlyingValue));
        }
        TypeName = typeName;
        UnderlyingValue = underlyingValue;
        Name = name;
    }

    /// <summary>The enum's CLR type name, e.g. <c>System.DayOfWeek</c>.</summary>
    public string TypeName { get; }

    /// <summary>The number, as the enum's underlying integer type.</summary>
    public object UnderlyingValue { get; }

    /// <summary>The value's name as it was logged (its <c>ToString()</c>).</summary>
    public string Name { get; }

    /// <summary>Formats as <see cref="Enum.ToString(string?)"/> does (see the remarks); the provider is ignored, as the enum ignores it.</summary>
    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        if (string.IsNullOrEmpty(format))
        {
            return Name;
        }
        if (format.Length == 1)
        {
            switch (format[0])
            {
                case 'G' or 'g' or 'F' or 'f':
                    return Name;
                case 'D' or 'd':
                    return ((IFormattable)UnderlyingValue).ToString(null, CultureInfo.InvariantCulture);
                case 'X' or 'x':
                    return Hex();
            }
        }
        throw new FormatException("Format string can be only \"G\", \"g\", \"X\", \"x\", \"F\", \"f\", \"D\" or \"d\".");
    }

    /// <summary>The name, as the enum's <c>ToString()</c>.</summary>
    public override string ToString() => Name;

    /// <inheritdoc />
    public bool Equals(LogEnumValue? other) =>
        other is not null && TypeName == other.TypeName && UnderlyingValue.Equals(other.UnderlyingValue) && Name == other.Name;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LogEnumValue);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TypeName, UnderlyingValue, Name);

    /// <summary>The number as its underlying type, from the tag and bits the decoder read.</summary>
    internal static object Box(Format.ValueTag underlying, ulong bits) => underlying switch
    {
        Format.ValueTag.SByte => (sbyte)bits,
        Format.ValueTag.Byte => (byte)bits,
        Format.ValueTag.Int16 => (short)bits,
        Format.ValueTag.UInt16 => (ushort)bits,
        Format.ValueTag.Int32 => (int)bits,
        Format.ValueTag.UInt32 => (uint)bits,
        Format.ValueTag.Int64 => (long)bits,
        _ => bits,
    };

    // Two digits a byte of the underlying type, negative values as their two's complement: what the enum writes.
    private string Hex() => UnderlyingValue switch
    {
        sbyte v => ((byte)v).ToString("X2", CultureInfo.InvariantCulture),
        byte v => v.ToString("X2", CultureInfo.InvariantCulture),
        short v => ((ushort)v).ToString("X4", CultureInfo.InvariantCulture),
        ushort v => v.ToString("X4", CultureInfo.InvariantCulture),
        int v => ((uint)v).ToString("X8", CultureInfo.InvariantCulture),
        uint v => v.ToString("X8", CultureInfo.InvariantCulture),
        long v => ((ulong)v).ToString("X16", CultureInfo.InvariantCulture),
        _ => ((ulong)UnderlyingValue).ToString("X16", CultureInfo.InvariantCulture),
    };
}
