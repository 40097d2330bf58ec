using System;
using System.Collections;
using Sinks.Mmap;

namespace NLog.Targets.Mmap;

/// <summary>
/// The properties of the event being written, gathered once before <see cref="MmapLogWriter.Append{TPayload}"/>
/// so that the payload's runs (one into scratch, or measure then encode) see exactly the same thing. One buffer
/// per target, reused: NLog serialises calls to a synchronous target's <c>Write</c>.
/// </summary>
internal sealed class PropertyBuffer
{
    private string[] _names = new string[8];
    private object?[] _values = new object?[8];
    private int _added;
    // The message-template parameters come first, held by reference rather than copied: for most
    // events they are all the properties there are. Two references, cleared to null: each store of
    // an object into the heap costs a GC write barrier, except a null's.
    private TemplateInfo? _template;
    private object?[]? _parameters;

    public int Count => TemplateCount + _added;

    private int TemplateCount => _template is { } template ? template.Names.Length : 0;

    public string NameAt(int index)
    {
        int templateCount = TemplateCount;
        return index < templateCount ? _template!.Names[index] : _names[index - templateCount];
    }

    public bool Contains(string name)
    {
        if (_template is { } template)
        {
            foreach (string templateName in template.Names)
            {
                if (string.Equals(templateName, name, StringComparison.Ordinal)) return true;
            }
        }
        for (int i = 0; i < _added; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>
    /// Makes the template's holes the first properties, valued from <paramref name="parameters"/>
    /// (a hole whose parameter is missing is null). Call it on an empty buffer.
    /// </summary>
    public void SetTemplateParameters(TemplateInfo template, object?[] parameters)
    {
        _template = template;
        _parameters = parameters;
    }

    /// <summary>Writes every property, the template parameters first, as name and value.</summary>
    public void WriteTo(ref EventWriter writer)
    {
        if (_template is { } template)
        {
            string[] names = template.Names;
            int[] parameterIndexes = template.ParameterIndexes;
            object?[] parameters = _parameters!;
            for (int i = 0; i < names.Length; i++)
            {
                writer.WritePropertyName(names[i]);
                int parameter = parameterIndexes[i];
                NLogEventPayload.WriteValue(ref writer, (uint)parameter < (uint)parameters.Length ? parameters[parameter] : null, 0);
            }
        }
        for (int i = 0; i < _added; i++)
        {
            writer.WritePropertyName(_names[i]);
            NLogEventPayload.WriteValue(ref writer, _values[i], 0);
        }
    }

    public void Add(string name, object? value)
    {
        if (_added == _names.Length)
        {
            Array.Resize(ref _names, _added * 2);
            Array.Resize(ref _values, _added * 2);
        }
        _names[_added] = name;
        _values[_added] = value;
        _added++;
    }

    /// <summary>Adds the property unless one of that name is already there.</summary>
    public void TryAdd(string name, object? value)
    {
        if (!string.IsNullOrEmpty(name) && !Contains(name)) Add(name, value);
    }

    public void Clear()
    {
        // Drop references so the buffer does not keep the last event's values alive.
        _template = null;
        _parameters = null;
        if (_added > 0)
        {
            Array.Clear(_values, 0, _added);
            Array.Clear(_names, 0, _added);
            _added = 0;
        }
    }
}

/// <summary>An NLog event in the neutral form: the header plus the gathered properties.</summary>
internal struct NLogEventPayload : IEventPayload
{
    private const int MaxDepth = 8;

    public EventHeader Header;
    public PropertyBuffer Properties;
    // When set, the rendered message is its buffer rather than Header.RenderedMessage.
    public NLogMessageRenderer? RenderedMessage;

    /// <summary>An empty header over <paramref name="properties"/>: fill <see cref="Header"/> in place, its property count last.</summary>
    public NLogEventPayload(PropertyBuffer properties)
    {
        Header = default;
        Properties = properties;
        RenderedMessage = null;
    }

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
        Properties.WriteTo(ref writer);
    }

    /// <summary>
    /// Scalars keep their CLR type; dictionaries and collections become dictionaries and sequences;
    /// anything else is written as its type name and invariant text.
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
            writer.BeginDictionary(dictionary.Count);
            int written = 0;
            IDictionaryEnumerator entries = dictionary.GetEnumerator();
            while (written < dictionary.Count && entries.MoveNext())
            {
                WriteValue(ref writer, entries.Key, depth + 1);
                WriteValue(ref writer, entries.Value, depth + 1);
                written++;
            }
            // A dictionary that changed while being written would make the measure and encode runs differ;
            // the writer notices and drops the event. Pad so the count written stays consistent.
            for (; written < dictionary.Count; written++)
            {
                writer.WriteNull();
                writer.WriteNull();
            }
            return;
        }
        if (value is ICollection collection)
        {
            int count = collection.Count;
            writer.BeginSequence(count);
            int written = 0;
            foreach (object? element in collection)
            {
                if (written == count) break;
                WriteValue(ref writer, element, depth + 1);
                written++;
            }
            for (; written < count; written++)
            {
                writer.WriteNull();
            }
            return;
        }
        writer.WriteScalar(value);
    }
}
