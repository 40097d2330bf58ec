using System;
using System.Runtime.CompilerServices;
using Sinks.Mmap.Format;

namespace Sinks.Mmap;

/// <summary>
/// What the writer needs to store an enum of one type (FORMAT.md 1.2, tag 0x17): its CLR type name,
/// the tag of its underlying integer type, and the names of its defined values, found once per type
/// so that logging a defined value costs a lookup, not <see cref="Enum.ToString()"/>.
/// </summary>
internal sealed class EnumMetadata
{
    // Enum types can come from collectible assemblies: a weak table does not keep them loaded.
    private static readonly ConditionalWeakTable<Type, EnumMetadata> ByType = new();
    // The type logged last: most call sites log one enum type, found here by one reference comparison.
    private static EnumMetadata? s_last;

    // Defined values, sorted, as the bits ReadBits returns, and the name ToString() gives each.
    private readonly ulong[] _values;
    private readonly string[] _names;

    private EnumMetadata(Type type)
    {
        Type = type;
        TypeName = type.FullName ?? type.Name;
        UnderlyingTag = TagOf(Type.GetTypeCode(type));
        if (UnderlyingTag == 0)
        {
            _values = Array.Empty<ulong>();
            _names = Array.Empty<string>();
            return;
        }
        // The values as their underlying integers: Enum.GetValues(Type) would make an array of the enum type,
        // which Native AOT cannot promise for a type known only at run time.
        Array defined = Enum.GetValuesAsUnderlyingType(type);
        var values = new ulong[defined.Length];
        var names = new string[defined.Length];
        int count = 0;
        foreach (object value in defined)
        {
            // ToString() of the value itself: where two names share a value, the one the runtime picks.
            values[count] = ReadBits(value, UnderlyingTag);
            names[count] = Enum.ToObject(type, value).ToString()!;
            count++;
        }
        Array.Sort(values, names, 0, count);
        int distinct = 0;
        for (int i = 0; i < count; i++)
        {
            if (distinct > 0 && values[distinct - 1] == values[i]) continue;
            values[distinct] = values[i];
            names[distinct] = names[i];
            distinct++;
        }
        Array.Resize(ref values, distinct);
        Array.Resize(ref names, distinct);
        _values = values;
        _names = names;
    }

    public Type Type { get; }

    /// <summary>The CLR type's full name.</summary>
    public string TypeName { get; }

    /// <summary>The value tag of the underlying integer type (0x03–0x0A), or 0 for one the format has no enum form for (char, bool).</summary>
    public ValueTag UnderlyingTag { get; }

    public static EnumMetadata For(Type type)
    {
        EnumMetadata? last = s_last;
        if (last is not null && ReferenceEquals(last.Type, type))
        {
            return last;
        }
        EnumMetadata found = ByType.GetValue(type, static t => new EnumMetadata(t));
        s_last = found;
        return found;
    }

    /// <summary>
    /// The value's bits as a ulong: signed types sign-extended, unsigned ones zero-extended, so that
    /// each maps to one number whatever the width. Unboxing to the underlying type allocates nothing.
    /// </summary>
    public ulong ReadBits(object boxed) => ReadBits(boxed, UnderlyingTag);

    private static ulong ReadBits(object boxed, ValueTag tag) => tag switch
    {
        ValueTag.SByte => (ulong)(long)(sbyte)boxed,
        ValueTag.Byte => (byte)boxed,
        ValueTag.Int16 => (ulong)(long)(short)boxed,
        ValueTag.UInt16 => (ushort)boxed,
        ValueTag.Int32 => (ulong)(long)(int)boxed,
        ValueTag.UInt32 => (uint)boxed,
        ValueTag.Int64 => (ulong)(long)boxed,
        _ => (ulong)boxed,
    };

    /// <summary>The name of a defined value, or null (a flags combination or an undefined value: the caller asks ToString()).</summary>
    public string? DefinedName(ulong bits)
    {
        int index = Array.BinarySearch(_values, bits);
        return index >= 0 ? _names[index] : null;
    }

    private static ValueTag TagOf(TypeCode code) => code switch
    {
        TypeCode.SByte => ValueTag.SByte,
        TypeCode.Byte => ValueTag.Byte,
        TypeCode.Int16 => ValueTag.Int16,
        TypeCode.UInt16 => ValueTag.UInt16,
        TypeCode.Int32 => ValueTag.Int32,
        TypeCode.UInt32 => ValueTag.UInt32,
        TypeCode.Int64 => ValueTag.Int64,
        TypeCode.UInt64 => ValueTag.UInt64,
        _ => 0,
    };
}
