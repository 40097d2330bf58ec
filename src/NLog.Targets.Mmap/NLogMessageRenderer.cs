using System;
using System.Globalization;

namespace NLog.Targets.Mmap;

/// <summary>
/// Renders <c>${message}</c> for the common structured event (plain named holes, scalar parameters)
/// into a reusable buffer, as NLog's default message formatter does, without NLog's per-event
/// template parse and string. It only vouches for what it has checked: the first time a template is
/// seen with a given set of parameter types and culture, its output is compared with NLog's own
/// <see cref="LogEventInfo.FormattedMessage"/>, and only a match lets later events skip NLog.
/// Anything else (formats, alignment, positional templates, other types, a custom formatter or
/// format provider) is left to NLog. One per target: NLog serialises a target's <c>Write</c>.
/// </summary>
internal sealed class NLogMessageRenderer
{
    private char[] _buffer = new char[256];
    private int _length;
    private CultureInfo? _lastCulture;
    private bool _lastCultureUsesAsciiMinus;

    /// <summary>The message the last successful <see cref="TryRender"/> produced.</summary>
    public ReadOnlySpan<char> Rendered => _buffer.AsSpan(0, _length);

    /// <summary>
    /// Renders the event's message into <see cref="Rendered"/>; false when NLog must render it.
    /// <paramref name="culture"/> is the culture NLog formats with (the configuration's default
    /// culture, else the current culture).
    /// </summary>
    public bool TryRender(LogEventInfo logEvent, TemplateInfo template, object?[] parameters, CultureInfo culture)
    {
        string[]? literals = template.Literals;
        if (literals is null || parameters.Length != literals.Length - 1 || logEvent.FormatProvider is not null || !UsesAsciiMinus(culture))
        {
            return false;
        }
        RenderingCheck? check = template.Checked;
        bool known = check is not null && ReferenceEquals(check.Culture, culture) && SameTypes(check.ParameterTypes, parameters);
        if (known && !check!.Agrees)
        {
            return false;
        }
        if (!known && !AllSupported(parameters))
        {
            return false;
        }

        _length = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            Append(literals[i]);
            AppendValue(parameters[i]!, culture);
        }
        Append(literals[literals.Length - 1]);
        if (known)
        {
            return true;
        }

        // First sight of this template with these types: NLog's own rendering is the reference (one string, once).
        bool agrees = Rendered.SequenceEqual(logEvent.FormattedMessage);
        template.Checked = new RenderingCheck(TypesOf(parameters), culture, agrees);
        return agrees;
    }

    private void AppendValue(object value, CultureInfo culture)
    {
        switch (value)
        {
            case string s: Append(s); break;
            case bool b: Append(b ? "true" : "false"); break;
            // Integers have no culture-dependent digits; the minus sign was checked to be ASCII.
            case int v: AppendFormatted(v, CultureInfo.InvariantCulture); break;
            case long v: AppendFormatted(v, CultureInfo.InvariantCulture); break;
            case short v: AppendFormatted(v, CultureInfo.InvariantCulture); break;
            case ushort v: AppendFormatted(v, CultureInfo.InvariantCulture); break;
            case uint v: AppendFormatted(v, CultureInfo.InvariantCulture); break;
            case ulong v: AppendFormatted(v, CultureInfo.InvariantCulture); break;
            case byte v: AppendFormatted(v, CultureInfo.InvariantCulture); break;
            case sbyte v: AppendFormatted(v, CultureInfo.InvariantCulture); break;
            case double v: AppendFormatted(v, culture); break;
            case float v: AppendFormatted(v, culture); break;
            case decimal v: AppendFormatted(v, culture); break;
            case Guid v: AppendFormatted(v, culture); break;
        }
    }

    private static bool AllSupported(object?[] parameters)
    {
        foreach (object? p in parameters)
        {
            if (p is not (string or bool or int or long or short or ushort or uint or ulong or byte or sbyte or double or float or decimal or Guid))
            {
                return false;
            }
        }
        return true;
    }

    private static bool SameTypes(Type[] types, object?[] parameters)
    {
        if (types.Length != parameters.Length)
        {
            return false;
        }
        for (int i = 0; i < types.Length; i++)
        {
            if (parameters[i]?.GetType() != types[i])
            {
                return false;
            }
        }
        return true;
    }

    private static Type[] TypesOf(object?[] parameters)
    {
        var types = new Type[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            types[i] = parameters[i]!.GetType();
        }
        return types;
    }

    private bool UsesAsciiMinus(CultureInfo culture)
    {
        if (!ReferenceEquals(culture, _lastCulture))
        {
            _lastCultureUsesAsciiMinus = culture.NumberFormat.NegativeSign == "-";
            _lastCulture = culture;
        }
        return _lastCultureUsesAsciiMinus;
    }

    private void Append(string text)
    {
        Reserve(text.Length);
        text.CopyTo(_buffer.AsSpan(_length));
        _length += text.Length;
    }

    private void AppendFormatted<T>(T value, IFormatProvider provider) where T : ISpanFormattable
    {
        int written;
        while (!value.TryFormat(_buffer.AsSpan(_length), out written, default, provider))
        {
            Reserve(_buffer.Length - _length + 64);
        }
        _length += written;
    }

    private void Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
    }
}
