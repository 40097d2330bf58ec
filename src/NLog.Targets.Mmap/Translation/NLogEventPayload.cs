using System;
using System.Collections;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Sinks.Mmap;
using Sinks.Mmap.Adapters;

namespace NLog.Targets.Mmap.Translation;

/// <summary>
/// The properties an event has besides its message-template parameters (event properties the
/// template does not name, scope and context properties), gathered once before
/// <see cref="MmapLogWriter.Append{TPayload}(long, MmapLevel, ref TPayload)"/> so that the payload's runs (one into scratch, or
/// measure then encode) see exactly the same thing. One per thread, rented for one event: the
/// target writes without NLog's lock, so several threads may be gathering at once.
/// </summary>
internal sealed class PropertyBuffer
{
    [ThreadStatic]
    private static PropertyBuffer? t_buffer;

    // Up to this many names (taken and added), a name is looked for by comparing; past it, in a set,
    // so that gathering n properties costs O(n), not O(n²) (an event with 100,000 properties).
    private const int LinearSearchLimit = 16;
    // A set grown past this is not kept for the next event.
    private const int MaxKeptSetSize = 1024;

    private string[] _names = new string[8];
    private object?[] _values = new object?[8];
    private Capture[] _captures = new Capture[8];
    private int _count;
    private bool _rented;
    // Names already taken by the message-template parameters.
    private string[] _taken = Array.Empty<string>();
    // Every name taken or added, once there are more than LinearSearchLimit; reused by this thread's events.
    private HashSet<string>? _set;
    private bool _setInUse;

    public int Count => _count;

    public string NameAt(int index) => _names[index];

    /// <summary>
    /// This thread's buffer, empty, with <paramref name="taken"/> as names not to add again; a new
    /// one when this thread's is in use further up the stack (a property's ToString that logs).
    /// </summary>
    public static PropertyBuffer Rent(string[] taken)
    {
        PropertyBuffer buffer = t_buffer ??= new PropertyBuffer();
        if (buffer._rented)
        {
            buffer = new PropertyBuffer();
        }
        buffer._rented = true;
        buffer._taken = taken;
        return buffer;
    }

    /// <summary>Empties the buffer (it must not keep the event's values alive) and frees it for the next event.</summary>
    public void Return()
    {
        if (_count > 0)
        {
            Array.Clear(_values, 0, _count);
            Array.Clear(_names, 0, _count);
            _count = 0;
        }
        if (_setInUse)
        {
            _setInUse = false;
            if (_set!.Count > MaxKeptSetSize)
            {
                _set = null;
            }
            else
            {
                _set.Clear();
            }
        }
        _taken = Array.Empty<string>();
        _rented = false;
    }

    public bool Contains(string name)
    {
        if (!_setInUse && _taken.Length + _count > LinearSearchLimit)
        {
            FillSet();
        }
        if (_setInUse)
        {
            return _set!.Contains(name);
        }
        foreach (string taken in _taken)
        {
            if (string.Equals(taken, name, StringComparison.Ordinal)) return true;
        }
        for (int i = 0; i < _count; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private void FillSet()
    {
        HashSet<string> set = _set ??= new HashSet<string>(StringComparer.Ordinal);
        foreach (string taken in _taken) set.Add(taken);
        for (int i = 0; i < _count; i++) set.Add(_names[i]);
        _setInUse = true;
    }

    /// <summary>Adds the property unless one of that name is already there; <paramref name="capture"/> is how its hole asked for it.</summary>
    public void TryAdd(string name, object? value, Capture capture = Capture.Normal)
    {
        if (string.IsNullOrEmpty(name) || Contains(name))
        {
            return;
        }
        if (_count == _names.Length)
        {
            Array.Resize(ref _names, _count * 2);
            Array.Resize(ref _values, _count * 2);
            Array.Resize(ref _captures, _count * 2);
        }
        _names[_count] = name;
        _values[_count] = value;
        _captures[_count] = capture;
        _count++;
        if (_setInUse)
        {
            _set!.Add(name);
        }
    }

    public void WriteTo(ref EventWriter writer)
    {
        for (int i = 0; i < _count; i++)
        {
            writer.WritePropertyName(_names[i]);
            NLogEventPayload.WriteValue(ref writer, _values[i], _captures[i]);
        }
    }
}

/// <summary>
/// An NLog event in the neutral form: the header, the message-template parameters (held by
/// reference: for most events they are all the properties there are) and any other properties.
/// It lives on the logging thread's stack for one event.
/// </summary>
internal struct NLogEventPayload : IEventPayload
{
    private const int MaxDepth = 8;

    public EventHeader Header;
    // The template's holes, valued from Parameters (a hole whose parameter is missing is null).
    public TemplateInfo? Template;
    public object?[]? Parameters;
    public PropertyBuffer? OtherProperties;
    // When set, the rendered message is its buffer rather than Header.RenderedMessage.
    public NLogMessageRenderer? RenderedMessage;

    /// <summary>The properties the payload writes: the template's holes, then the others.</summary>
    public readonly int PropertyCount => (Template?.Names.Length ?? 0) + (OtherProperties?.Count ?? 0);

    /// <summary>The names the template's holes take, which other properties must not repeat.</summary>
    public readonly string[] TemplateNames => Template?.Names ?? Array.Empty<string>();

    // Not inlined into the writer's append loop: there the JIT's inlining budget runs out, and the
    // encoder's small calls (a property name, a scalar) stay calls; on its own they are inlined here.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public readonly void Write(ref EventWriter writer)
    {
        if (RenderedMessage is { } rendered)
        {
            writer.WriteHeader(in Header, rendered.Rendered);
        }
        else
        {
            writer.WriteHeader(in Header);
        }
        if (Template is { } template)
        {
            string[] names = template.Names;
            int[] parameterIndexes = template.ParameterIndexes;
            Capture[]? captures = template.Captures;
            object?[] parameters = Parameters!;
            for (int i = 0; i < names.Length; i++)
            {
                writer.WritePropertyName(names[i]);
                int parameter = parameterIndexes[i];
                object? value = (uint)parameter < (uint)parameters.Length ? parameters[parameter] : null;
                if (captures is not null && captures[i] != Capture.Normal)
                {
                    WriteValue(ref writer, value, captures[i]);
                }
                // Scalars are nearly every parameter: written here, without the call that walks other shapes.
                else if (!writer.TryWriteScalar(value))
                {
                    WriteValue(ref writer, value, 0);
                }
            }
        }
        OtherProperties?.WriteTo(ref writer);
    }

    /// <summary>A value as its hole asked: destructured for <c>@</c>, its text for <c>$</c>, else <see cref="WriteValue(ref EventWriter, object?, int)"/>.</summary>
    internal static void WriteValue(ref EventWriter writer, object? value, Capture capture)
    {
        switch (capture)
        {
            case Capture.Serialize:
                Destructurer.Write(ref writer, value);
                break;
            case Capture.Stringify:
                Destructurer.WriteStringified(ref writer, value);
                break;
            default:
                WriteValue(ref writer, value, 0);
                break;
        }
    }

    /// <summary>
    /// Scalars keep their CLR type; dictionaries and collections become dictionaries and sequences, to
    /// <see cref="MaxDepth"/> levels (and no deeper than the writer lets them: past the format's depth
    /// or the record limit, <c>Begin…</c> returns false and the walk stops); anything else is written
    /// as its type name and invariant text.
    /// </summary>
    internal static void WriteValue(ref EventWriter writer, object? value, int depth)
    {
        // Tagged scalars (nearly every value) in one type dispatch; the interface tests below walk interfaces.
        if (writer.TryWriteScalar(value))
        {
            return;
        }
        if (value is IFormattable || depth >= MaxDepth)
        {
            writer.WriteScalar(value);
            return;
        }
        if (value is IDictionary dictionary)
        {
            int count = dictionary.Count;
            if (!writer.BeginDictionary(count))
            {
                return;
            }
            int written = 0;
            IDictionaryEnumerator entries = dictionary.GetEnumerator();
            while (written < count && !writer.IsRejected && entries.MoveNext())
            {
                WriteValue(ref writer, entries.Key, depth + 1);
                WriteValue(ref writer, entries.Value, depth + 1);
                written++;
            }
            // A dictionary that changed while being written would make the measure and encode runs differ;
            // the writer notices and drops the event. Pad so the count written stays consistent.
            for (; written < count && !writer.IsRejected; written++)
            {
                writer.WriteNull();
                writer.WriteNull();
            }
            return;
        }
        if (value is ICollection collection)
        {
            int count = collection.Count;
            if (!writer.BeginSequence(count))
            {
                return;
            }
            int written = 0;
            foreach (object? element in collection)
            {
                if (written == count || writer.IsRejected) break;
                WriteValue(ref writer, element, depth + 1);
                written++;
            }
            for (; written < count && !writer.IsRejected; written++)
            {
                writer.WriteNull();
            }
            return;
        }
        writer.WriteScalar(value);
    }
}
