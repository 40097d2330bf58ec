using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using Sinks.Mmap.Adapters;

namespace NLog.Targets.Mmap.Translation;

/// <summary>
/// Renders <c>${message}</c> for the common structured event (plain named holes, scalar parameters)
/// into a reusable buffer, as NLog's default message formatter does, without NLog's per-event
/// template parse and string. It only vouches for what it has checked: the first time a template is
/// seen with a given set of parameter types and culture, its output is compared with NLog's own
/// <see cref="LogEventInfo.FormattedMessage"/>, and only a match lets later events skip NLog. When
/// NLog's text is also the core's plain rendering of the template (an invariant-like culture, no
/// repeated hole), later events are not rendered at all: readers rebuild the text.
/// Anything else (formats, alignment, positional templates, other types, a custom formatter or
/// format provider) is left to NLog. The verdicts are kept on the template (<see cref="TemplateInfo.Checked"/>),
/// shared by all threads; the buffer is per thread, rented for one event.
/// </summary>
internal sealed class NLogMessageRenderer
{
    [ThreadStatic]
    private static NLogMessageRenderer? t_renderer;

    private bool _rented;
    private char[] _buffer = new char[256];
    private int _length;
    private CultureInfo? _lastCulture;
    private bool _lastCultureUsesAsciiMinus;

    /// <summary>This thread's renderer, or a new one when it is in use further up the stack.</summary>
    public static NLogMessageRenderer Rent()
    {
        NLogMessageRenderer renderer = t_renderer ??= new NLogMessageRenderer();
        if (renderer._rented)
        {
            renderer = new NLogMessageRenderer();
        }
        renderer._rented = true;
        return renderer;
    }

    public void Return() => _rented = false;

    /// <summary>
    /// True when an earlier event of this template, with parameters of the same types, in this
    /// culture, was found to render as the core's plain rendering: nothing need be rendered or
    /// stored. Reads only what other threads publish whole (<see cref="TemplateInfo.Checked"/>),
    /// so it needs no renderer; the usual event of a busy template goes no further.
    /// </summary>
    public static bool IsKnownPlain(TemplateInfo template, object?[] parameters, CultureInfo culture)
    {
        // A verdict exists only for a culture with an ASCII minus sign and a template whose holes match the parameters.
        RenderingCheck? check = template.Checked;
        return check is not null && check.Plain && ReferenceEquals(check.Culture, culture)
            && SameKinds(check.ParameterKinds, parameters) && (!check.PlainOnlyWhenFinite || AllRealsFinite(parameters));
    }

    /// <summary>The message the last <see cref="Render"/> that returned <see cref="MessageRendering.Rendered"/> produced.</summary>
    public ReadOnlySpan<char> Rendered => _buffer.AsSpan(0, _length);

    /// <summary>
    /// Decides how the event's <c>${message}</c> is stored, rendering it into <see cref="Rendered"/>
    /// when it must be. <paramref name="culture"/> is the culture NLog formats with (the event's
    /// format provider when it is a culture, else the configuration's default culture, else the
    /// current culture).
    /// </summary>
    public MessageRendering Render(LogEventInfo logEvent, TemplateInfo template, object?[] parameters, CultureInfo culture)
    {
        string[]? literals = template.Literals;
        if (literals is null || parameters.Length != literals.Length - 1 || !UsesAsciiMinus(culture))
        {
            return MessageRendering.ByNLog;
        }
        RenderingCheck? check = template.Checked;
        bool known = check is not null && ReferenceEquals(check.Culture, culture) && SameKinds(check.ParameterKinds, parameters);
        if (known && !check!.Agrees)
        {
            return MessageRendering.ByNLog;
        }
        if (known && check!.Plain && (!check.PlainOnlyWhenFinite || AllRealsFinite(parameters)))
        {
            // Nothing to render or store: readers rebuild exactly this text from the template and properties.
            return MessageRendering.Plain;
        }
        if (!known && !AllSupported(parameters))
        {
            return MessageRendering.ByNLog;
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
            return MessageRendering.Rendered;
        }

        // First sight of this template with these types: NLog's own rendering is the reference (one string, once).
        string formatted = logEvent.FormattedMessage;
        bool agrees = Rendered.SequenceEqual(formatted);
        bool onlyWhenFinite = false;
        bool plain = agrees && IsPlainFor(template, parameters, culture, out onlyWhenFinite)
            && string.Equals(EventHeader.TryRenderPlain(logEvent.Message, template.Names, parameters), formatted, StringComparison.Ordinal);
        template.Checked = new RenderingCheck(KindsOf(parameters), culture, agrees, plain, plain && onlyWhenFinite);
        return plain && (!onlyWhenFinite || AllRealsFinite(parameters)) ? MessageRendering.Plain : agrees ? MessageRendering.Rendered : MessageRendering.ByNLog;
    }

    /// <summary>
    /// True when readers, which render numbers in the invariant culture and look holes up by name,
    /// can rebuild this template's rendering for every value of these types: each hole has its own
    /// name (hole n is parameter n), and the culture formats these types as the invariant one does.
    /// <paramref name="onlyWhenFinite"/>: the culture writes NaN or infinity its own way (ICU's
    /// en-US writes ∞), so an event with such a value must store its text.
    /// </summary>
    private static bool IsPlainFor(TemplateInfo template, object?[] parameters, CultureInfo culture, out bool onlyWhenFinite)
    {
        onlyWhenFinite = false;
        if (template.Names.Length != parameters.Length)
        {
            return false;
        }
        foreach (object? p in parameters)
        {
            if (p is double or float or decimal)
            {
                NumberFormatInfo f = culture.NumberFormat, i = NumberFormatInfo.InvariantInfo;
                if (f.NumberDecimalSeparator != i.NumberDecimalSeparator || f.NegativeSign != i.NegativeSign || f.PositiveSign != i.PositiveSign)
                {
                    return false;
                }
                onlyWhenFinite |= f.NaNSymbol != i.NaNSymbol || f.PositiveInfinitySymbol != i.PositiveInfinitySymbol
                    || f.NegativeInfinitySymbol != i.NegativeInfinitySymbol;
            }
        }
        return true;
    }

    private static bool AllRealsFinite(object?[] parameters)
    {
        foreach (object? p in parameters)
        {
            if ((p is double d && !double.IsFinite(d)) || (p is float f && !float.IsFinite(f)))
            {
                return false;
            }
        }
        return true;
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
            if (KindOf(p) == UnsupportedKind)
            {
                return false;
            }
        }
        return true;
    }

    private const byte UnsupportedKind = 0;

    /// <summary>
    /// The parameter's type among those the renderer formats (<see cref="AppendValue"/>), as a number
    /// from 1; <see cref="UnsupportedKind"/> for any other type, and for null. Checks compare these
    /// rather than <see cref="Type"/> objects: each arm is an exact type test the JIT inlines, where
    /// <c>GetType()</c> was a call for every parameter of every event.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte KindOf(object? value) => value switch
    {
        string => 1,
        int => 2,
        double => 3,
        long => 4,
        bool => 5,
        float => 6,
        decimal => 7,
        Guid => 8,
        uint => 9,
        ulong => 10,
        short => 11,
        ushort => 12,
        byte => 13,
        sbyte => 14,
        _ => UnsupportedKind,
    };

    // A check is made only for parameters of supported kinds (Render), so an unsupported one never matches it.
    private static bool SameKinds(byte[] kinds, object?[] parameters)
    {
        if (kinds.Length != parameters.Length)
        {
            return false;
        }
        for (int i = 0; i < kinds.Length; i++)
        {
            if (KindOf(parameters[i]) != kinds[i])
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] KindsOf(object?[] parameters)
    {
        var kinds = new byte[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            kinds[i] = KindOf(parameters[i]);
        }
        return kinds;
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

/// <summary>How an event's <c>${message}</c> is stored.</summary>
internal enum MessageRendering
{
    /// <summary>NLog renders it (the layout), and the text is stored.</summary>
    ByNLog,

    /// <summary><see cref="NLogMessageRenderer.Rendered"/> holds it, and the text is stored.</summary>
    Rendered,

    /// <summary>Not stored: it is the template's plain rendering, which readers rebuild.</summary>
    Plain,
}
