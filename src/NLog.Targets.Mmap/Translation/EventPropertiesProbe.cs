using System;
using System.Collections.Generic;
using NLog.MessageTemplates;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Diagnostics.CodeAnalysis;

namespace NLog.Targets.Mmap.Translation;

/// <summary>
/// Tells whether an NLog event carries a properties dictionary of its own, without asking NLog for
/// it: <see cref="LogEventInfo.HasProperties"/> and <see cref="LogEventInfo.Properties"/> build one
/// from the message-template parameters (parsing the template and allocating ~460 bytes an event)
/// just to answer, and the target has already taken those parameters from the cached template.
/// It reads NLog's private <c>_properties</c> field through a compiled accessor; when a future NLog
/// renames it, the probe falls back to <see cref="LogEventInfo.HasProperties"/> (correct, slower).
/// Under Native AOT there is no <see cref="DynamicMethod"/>, so the fallback answers there too (an
/// <c>UnsafeAccessor</c> cannot name the field's internal type: .NET 10 rejects <c>UnsafeAccessorType</c>
/// on a field's by-ref return).
/// </summary>
internal static class EventPropertiesProbe
{
    private static readonly Func<LogEventInfo, bool>? HasDictionary = CreateAccessor();
    private static readonly Func<LogEventInfo, IList<MessageTemplateParameter>?>? MessagePropertiesOf = CreateMessagePropertiesAccessor();

    /// <summary>True when the fast check is available (NLog's field was found).</summary>
    public static bool IsAvailable => HasDictionary is not null;

    /// <summary>
    /// True when the event may hold properties besides its template parameters: always answered
    /// exactly when <see cref="IsAvailable"/>, else by <see cref="LogEventInfo.HasProperties"/>.
    /// </summary>
    public static bool MayHaveOwnProperties(LogEventInfo logEvent) =>
        HasDictionary is { } hasDictionary ? hasDictionary(logEvent) : logEvent.HasProperties;

    /// <summary>
    /// The message-template parameters NLog keeps for an event it has formatted already (an object among
    /// the parameters makes it do so on the logging thread): the list <see cref="LogEventInfo.MessageTemplateParameters"/>
    /// would wrap in a new object (32 bytes an event). Null when there is none, or when the probe is not
    /// available (Native AOT, another NLog): the caller then asks NLog.
    /// </summary>
    public static IList<MessageTemplateParameter>? MessageProperties(LogEventInfo logEvent) =>
        MessagePropertiesOf is { } read && read(logEvent) is { Count: > 0 } list ? list : null;

    private static Func<LogEventInfo, IList<MessageTemplateParameter>?>? CreateMessagePropertiesAccessor() =>
        RuntimeFeature.IsDynamicCodeSupported ? CreateDynamicMessagePropertiesAccessor() : null;

    [RequiresDynamicCode("Compiles a DynamicMethod; called only where dynamic code is supported.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075",
        Justification = "NLog's internal property is looked up by name; trimmed away (or renamed), it is not found and the public MessageTemplateParameters answers.")]
    private static Func<LogEventInfo, IList<MessageTemplateParameter>?>? CreateDynamicMessagePropertiesAccessor()
    {
        try
        {
            FieldInfo? field = typeof(LogEventInfo).GetField("_properties", BindingFlags.Instance | BindingFlags.NonPublic);
            MethodInfo? getter = field?.FieldType.GetProperty("MessageProperties", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)?.GetMethod;
            if (field is null || getter is null || getter.ReturnType != typeof(IList<MessageTemplateParameter>))
            {
                return null;
            }
            // logEvent._properties?.MessageProperties
            var method = new DynamicMethod("MessageProperties", typeof(IList<MessageTemplateParameter>), new[] { typeof(LogEventInfo) }, typeof(LogEventInfo).Module, skipVisibility: true);
            ILGenerator il = method.GetILGenerator();
            Label none = il.DefineLabel();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldfld, field);
            il.Emit(OpCodes.Dup);
            il.Emit(OpCodes.Brfalse_S, none);
            il.Emit(OpCodes.Callvirt, getter);
            il.Emit(OpCodes.Ret);
            il.MarkLabel(none);
            il.Emit(OpCodes.Pop);
            il.Emit(OpCodes.Ldnull);
            il.Emit(OpCodes.Ret);
            return method.CreateDelegate<Func<LogEventInfo, IList<MessageTemplateParameter>?>>();
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or NotSupportedException or MemberAccessException or InvalidProgramException or System.Reflection.AmbiguousMatchException)
        {
            return null;
        }
    }

    private static Func<LogEventInfo, bool>? CreateAccessor() =>
        RuntimeFeature.IsDynamicCodeSupported ? CreateDynamicAccessor() : null;

    [RequiresDynamicCode("Compiles a DynamicMethod; called only where dynamic code is supported.")]
    private static Func<LogEventInfo, bool>? CreateDynamicAccessor()
    {
        try
        {
            FieldInfo? field = typeof(LogEventInfo).GetField("_properties", BindingFlags.Instance | BindingFlags.NonPublic);
            if (field is null || field.FieldType.IsValueType)
            {
                return null;
            }
            var method = new DynamicMethod("HasPropertiesDictionary", typeof(bool), new[] { typeof(LogEventInfo) }, typeof(LogEventInfo).Module, skipVisibility: true);
            ILGenerator il = method.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldfld, field);
            il.Emit(OpCodes.Ldnull);
            il.Emit(OpCodes.Cgt_Un);
            il.Emit(OpCodes.Ret);
            return method.CreateDelegate<Func<LogEventInfo, bool>>();
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or NotSupportedException or MemberAccessException or InvalidProgramException)
        {
            return null;
        }
    }
}
