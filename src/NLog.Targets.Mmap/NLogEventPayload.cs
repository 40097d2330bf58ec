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
    // events they are all the properties there are.
    private string[] _templateNames = Array.Empty<string>();
    private int[] _parameterIndexes = Array.Empty<int>();
    private object?[] _parameters = Array.Empty<object?>();

    public int Count => _templateNames.Length + _added;

    public string NameAt(int index)
    {
        string[] templateNames = _templateNames;
        return index < templateNames.Length ? templateNames[index] : _names[index - templateNames.Length];
    }

    public object? ValueAt(int index)
    {
        string[] templateNames = _templateNames;
        if (index < templateNames.Length)
        {
            int parameter = _parameterIndexes[index];
            return parameter < _parameters.Length ? _parameters[parameter] : null;
        }
        return _values[index - templateNames.Length];
    }

    public bool Contains(string name)
    {
        foreach (string templateName in _templateNames)
        {
            if (string.Equals(templateName, name, StringComparison.Ordinal)) return true;
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
        _templateNames = template.Names;
        _parameterIndexes = template.ParameterIndexes;
        _parameters = parameters;
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
        _templateNames = Array.Empty<string>();
        _parameterIndexes = Array.Empty<int>();
        _parameters = Array.Empty<object?>();
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

    public NLogEventPayload(in EventHeader header, PropertyBuffer properties, NLogMessageRenderer? renderedMessage = null)
    {
        Header = header;
        Header.PropertyCount = properties.Count;
        Properties = properties;
        RenderedMessage = renderedMessage;
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
        PropertyBuffer properties = Properties;
        int count = properties.Count;
        for (int i = 0; i < count; i++)
        {
            writer.WritePropertyName(properties.NameAt(i));
            WriteValue(ref writer, properties.ValueAt(i), 0);
        }
    }

    /// <summary>
    /// Scalars keep their CLR type; dictionaries and collections become dictionaries and sequences;
    /// anything else is written as its type name and invariant text.
    /// </summary>
    internal static void WriteValue(ref EventWriter writer, object? value, int depth)
    {
        // Exact-type tests first: they are a compare each, where the IFormattable test walks interfaces.
        if (value is null || value is string || value is int || value is long || value is double || value is bool
            || value is IFormattable || value is char || value is byte[] || depth >= MaxDepth)
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
