using System;
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
/// as its text and a collection as an empty one. Each type's properties are looked up once.
/// Destructuring allocates (the values of each object and collection); so does NLog's.
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
        PropertyInfo[] properties = shape.Properties;
        var values = new object?[properties.Length];
        var included = new bool[properties.Length];
        int count = 0;
        for (int i = 0; i < properties.Length; i++)
        {
            try
            {
                values[i] = properties[i].GetValue(target);
            }
            catch (Exception ex) when (ex is TargetInvocationException or NotSupportedException or MethodAccessException or ArgumentException)
            {
                // NLog leaves out a property it cannot read.
                continue;
            }
            // NLog leaves out null properties too.
            if (values[i] is not null && !IsOnPath(values[i], ref path, depth))
            {
                included[i] = true;
                count++;
            }
        }
        if (!writer.BeginStructure(shape.TypeTag, count))
        {
            return;
        }
        for (int i = 0; i < properties.Length; i++)
        {
            if (writer.IsRejected) return;
            if (!included[i]) continue;
            writer.WritePropertyName(properties[i].Name);
            Write(ref writer, values[i], depth + 1, ref path);
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

    /// <summary>A type's public readable properties, found once.</summary>
    private sealed class ObjectShape
    {
        // {@Value} destructures whatever type the application logs, known only at run time, as NLog's own
        // JSON serialisation does: after trimming, a property the application never uses may be gone and is
        // then left out of the structure, never an error.
        [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070",
            Justification = "Destructuring reads the public properties that survive trimming; a trimmed one is left out, as NLog does.")]
        public ObjectShape(Type type)
        {
            bool anonymous = type.Name.Contains("AnonymousType", StringComparison.Ordinal) && type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);
            TypeTag = anonymous ? null : type.Name;
            var properties = new List<PropertyInfo>();
            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetMethod is { IsPublic: true } && property.GetIndexParameters().Length == 0 && !property.PropertyType.IsByRefLike)
                {
                    properties.Add(property);
                }
            }
            Properties = properties.ToArray();
        }

        public string? TypeTag { get; }

        public PropertyInfo[] Properties { get; }
    }
}
