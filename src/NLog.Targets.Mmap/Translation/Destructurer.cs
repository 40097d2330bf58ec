using System;
using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using Sinks.Mmap;
using Sinks.Mmap.Adapters;

namespace NLog.Targets.Mmap.Translation;

/// <summary>How a message-template hole asks for its value: as it is, destructured (<c>@</c>) or as text (<c>$</c>).</summary>
internal enum Capture : byte
{
    Normal,
    Serialize,
    Stringify,
}

/// <summary>
/// NLog's <c>{@Value}</c> stored as NLog serialises it: an object as a structure of its public readable
/// properties (anonymous types with no type tag, other types tagged with their name), dictionaries as
/// dictionaries, other collections as sequences, scalars as they are. Like NLog's own serializer it
/// leaves out a value that refers back to an object it is inside (a cycle), a null property and a
/// property whose getter throws, and it stops where NLog stops (<see cref="MaxDepth"/>): 10 levels down, an object is written
/// as its text and a collection as an empty one. Each type's properties are looked up once
/// (<see cref="ObjectShape"/>). An object whose properties are scalars, strings and such objects is
/// written without allocating (see <see cref="PropertyReader"/>); a collection's elements are gathered
/// into a list first, and that allocates, as NLog's serializer does.
/// </summary>
internal static class Destructurer
{
    /// <summary>NLog's serializer's depth: objects this deep are written as their text, collections as empty ones.</summary>
    public const int MaxDepth = 10;

    private static readonly ConcurrentDictionary<Type, ObjectShape> Shapes = new();

    /// <summary>Writes <paramref name="value"/> as a <c>$</c> hole keeps it: its text, invariant for formattable values.</summary>
    public static void WriteStringified(ref EventWriter writer, object? value) =>
        writer.WriteString(value is null ? null : value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value.ToString());

    /// <summary>Writes <paramref name="value"/> as a <c>@</c> hole keeps it.</summary>
    public static void Write(ref EventWriter writer, object? value)
    {
        var path = new Path();
        Write(ref writer, value, 0, ref path);
    }

    private static void Write(ref EventWriter writer, object? value, int depth, ref Path path)
    {
        if (writer.TryWriteScalar(value))
        {
            return;
        }
        object target = value!;
        if (IsText(target) || (depth >= MaxDepth && target is not IEnumerable))
        {
            writer.WriteScalar(target);
            return;
        }
        path[depth] = target;
        try
        {
            switch (target)
            {
                case IDictionary dictionary:
                    WriteDictionary(ref writer, dictionary, depth, ref path);
                    break;
                case IEnumerable sequence:
                    WriteSequence(ref writer, sequence, depth, ref path);
                    break;
                default:
                    WriteObject(ref writer, target, depth, ref path);
                    break;
            }
        }
        finally
        {
            path[depth] = null;
        }
    }

    private static void WriteDictionary(ref EventWriter writer, IDictionary dictionary, int depth, ref Path path)
    {
        var entries = new List<KeyValuePair<object, object?>>();
        if (depth < MaxDepth)
        {
            IDictionaryEnumerator enumerator = dictionary.GetEnumerator();
            while (enumerator.MoveNext())
            {
                if (!IsOnPath(enumerator.Value, ref path, depth))
                {
                    entries.Add(new KeyValuePair<object, object?>(enumerator.Key, enumerator.Value));
                }
            }
        }
        if (!writer.BeginDictionary(entries.Count))
        {
            return;
        }
        foreach (KeyValuePair<object, object?> entry in entries)
        {
            if (writer.IsRejected) return;
            writer.WriteScalar(entry.Key);
            Write(ref writer, entry.Value, depth + 1, ref path);
        }
    }

    private static void WriteSequence(ref EventWriter writer, IEnumerable sequence, int depth, ref Path path)
    {
        var elements = new List<object?>();
        if (depth < MaxDepth)
        {
            foreach (object? element in sequence)
            {
                if (!IsOnPath(element, ref path, depth))
                {
                    elements.Add(element);
                }
            }
        }
        if (!writer.BeginSequence(elements.Count))
        {
            return;
        }
        foreach (object? element in elements)
        {
            if (writer.IsRejected) return;
            Write(ref writer, element, depth + 1, ref path);
        }
    }

    private static void WriteObject(ref EventWriter writer, object target, int depth, ref Path path)
    {
        ObjectShape shape = Shapes.GetOrAdd(target.GetType(), static type => new ObjectShape(type));
        PropertyReader[] readers = shape.Readers;
        // Each getter is called once: its value is kept here (scalars in a slot, others as objects) until
        // the structure's count is known. On the stack for most types; rented for a type with many properties.
        InlineValues inlineValues = default;
        InlineSlots inlineSlots = default;
        object?[]? rentedValues = null;
        ScalarSlot[]? rentedSlots = null;
        Span<object?> values = readers.Length <= InlineProperties ? inlineValues : (rentedValues = ArrayPool<object?>.Shared.Rent(readers.Length));
        Span<ScalarSlot> slots = readers.Length <= InlineProperties ? inlineSlots : (rentedSlots = ArrayPool<ScalarSlot>.Shared.Rent(readers.Length));
        try
        {
            int count = 0;
            for (int i = 0; i < readers.Length; i++)
            {
                object? value;
                try
                {
                    value = readers[i].Read(target, ref slots[i]);
                }
                catch (Exception)
                {
                    // NLog leaves out a property it cannot read, whatever its getter throws.
                    values[i] = Excluded;
                    continue;
                }
                // NLog leaves out null properties too (a scalar is never null).
                if (readers[i].IsScalar || (value is not null && !IsOnPath(value, ref path, depth)))
                {
                    values[i] = value;
                    count++;
                }
                else
                {
                    values[i] = Excluded;
                }
            }
            if (!writer.BeginStructure(shape.TypeTag, count))
            {
                return;
            }
            for (int i = 0; i < readers.Length; i++)
            {
                if (writer.IsRejected) return;
                if (ReferenceEquals(values[i], Excluded)) continue;
                PropertyReader reader = readers[i];
                writer.WritePropertyName(reader.Name);
                if (reader.IsScalar)
                {
                    reader.WriteScalar(ref writer, ref slots[i]);
                }
                else
                {
                    Write(ref writer, values[i], depth + 1, ref path);
                }
            }
        }
        finally
        {
            if (rentedValues is not null) ArrayPool<object?>.Shared.Return(rentedValues, clearArray: true);
            if (rentedSlots is not null) ArrayPool<ScalarSlot>.Shared.Return(rentedSlots);
        }
    }

    /// <summary>True when <paramref name="value"/> is an object the walk is inside: writing it would never end.</summary>
    private static bool IsOnPath(object? value, ref Path path, int depth)
    {
        if (value is null || value.GetType().IsValueType)
        {
            return false;
        }
        for (int i = 0; i <= depth; i++)
        {
            if (ReferenceEquals(path[i], value)) return true;
        }
        return false;
    }

    // Values NLog writes as their text rather than taking apart.
    private static bool IsText(object value) => value is IFormattable or Uri or MemberInfo or Delegate;

    /// <summary>The objects and collections the walk is inside, one a level, outermost first.</summary>
    [InlineArray(MaxDepth + 1)]
    private struct Path
    {
        private object? _element;
    }

    // Properties kept on the stack while an object is written; a type with more rents its room.
    private const int InlineProperties = 16;

    // Marks a property left out (null, a cycle, or a getter that threw).
    private static readonly object Excluded = new();

    [InlineArray(InlineProperties)]
    private struct InlineValues
    {
        private object? _element;
    }

    [InlineArray(InlineProperties)]
    private struct InlineSlots
    {
        private ScalarSlot _element;
    }
}
