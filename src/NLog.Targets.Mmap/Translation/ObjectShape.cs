using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sinks.Mmap.Adapters;

namespace NLog.Targets.Mmap.Translation;

/// <summary>A destructured type's public readable properties, found once, each with its <see cref="PropertyReader"/>.</summary>
internal sealed class ObjectShape
{
    // {@Value} destructures whatever type the application logs, known only at run time, as NLog's own
    // JSON serialisation does: after trimming, a property the application never uses may be gone and is
    // then left out of the structure, never an error.
    [UnconditionalSuppressMessage("Trimming", "IL2070",
        Justification = "Destructuring reads the public properties that survive trimming; a trimmed one is left out, as NLog does.")]
    public ObjectShape(Type type)
    {
        bool anonymous = type.Name.Contains("AnonymousType", StringComparison.Ordinal) && type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);
        TypeTag = anonymous ? null : type.Name;
        var readers = new List<PropertyReader>();
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod is { IsPublic: true } && property.GetIndexParameters().Length == 0 && !property.PropertyType.IsByRefLike)
            {
                readers.Add(PropertyReader.For(type, property));
            }
        }
        Readers = readers.ToArray();
    }

    public string? TypeTag { get; }

    public PropertyReader[] Readers { get; }
}

/// <summary>Room for one scalar property's value between reading it and writing it (the widest: decimal, Guid, DateTimeOffset).</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal struct ScalarSlot
{
    private long _low;
    private long _high;
}

/// <summary>
/// Reads one property of a destructured object. Where the runtime compiles code, the getter is called
/// through a delegate compiled once per property, and a property of a scalar type (int, double,
/// DateTime…) is read into a <see cref="ScalarSlot"/> and written from there, so a destructured object
/// of such properties allocates nothing; <see cref="PropertyInfo.GetValue(object)"/> would box each
/// value and costs a reflection call. Without dynamic code (native AOT) every property is read through
/// reflection, as before.
/// </summary>
internal abstract class PropertyReader
{
    protected PropertyReader(string name, bool isScalar)
    {
        Name = name;
        IsScalar = isScalar;
    }

    public string Name { get; }

    /// <summary>True when <see cref="Read"/> fills the slot (a value that is never null) rather than returning an object.</summary>
    public bool IsScalar { get; }

    /// <summary>Calls the getter: its value in <paramref name="slot"/> when <see cref="IsScalar"/>, else returned. Throws when the getter throws (through reflection, wrapped).</summary>
    public abstract object? Read(object target, ref ScalarSlot slot);

    /// <summary>Writes a scalar value <see cref="Read"/> put in <paramref name="slot"/>, with the tag its boxed value would get.</summary>
    public virtual void WriteScalar(ref EventWriter writer, ref ScalarSlot slot) => throw new InvalidOperationException("not a scalar property");

    public static PropertyReader For(Type type, PropertyInfo property)
    {
        MethodInfo getter = property.GetMethod!;
        Type valueType = property.PropertyType;
        if (!RuntimeFeature.IsDynamicCodeSupported || !RuntimeFeature.IsDynamicCodeCompiled || valueType.IsByRef || valueType.IsPointer || valueType.ContainsGenericParameters || type.ContainsGenericParameters)
        {
            return new ReflectionReader(property);
        }
        try
        {
            return CompiledReaders.For(type, property.Name, getter, valueType);
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or NotSupportedException or MemberAccessException or InvalidProgramException or ArgumentException)
        {
            return new ReflectionReader(property);
        }
    }

    /// <summary>Through reflection: boxes a value-typed property (native AOT, odd property types).</summary>
    private sealed class ReflectionReader : PropertyReader
    {
        private readonly PropertyInfo _property;

        public ReflectionReader(PropertyInfo property) : base(property.Name, isScalar: false) => _property = property;

        public override object? Read(object target, ref ScalarSlot slot) => _property.GetValue(target);
    }

    /// <summary>Getters compiled to delegates (JIT only; see <see cref="RuntimeFeature.IsDynamicCodeCompiled"/>).</summary>
    [RequiresDynamicCode("Compiles each getter; used only where RuntimeFeature.IsDynamicCodeCompiled.")]
    private static class CompiledReaders
    {
        public static PropertyReader For(Type type, string name, MethodInfo getter, Type valueType)
        {
            if (valueType == typeof(int)) return new ScalarReader<int>(name, Compile<int>(type, getter, box: false));
            if (valueType == typeof(long)) return new ScalarReader<long>(name, Compile<long>(type, getter, box: false));
            if (valueType == typeof(double)) return new ScalarReader<double>(name, Compile<double>(type, getter, box: false));
            if (valueType == typeof(bool)) return new ScalarReader<bool>(name, Compile<bool>(type, getter, box: false));
            if (valueType == typeof(DateTimeOffset)) return new ScalarReader<DateTimeOffset>(name, Compile<DateTimeOffset>(type, getter, box: false));
            if (valueType == typeof(DateTime)) return new ScalarReader<DateTime>(name, Compile<DateTime>(type, getter, box: false));
            if (valueType == typeof(TimeSpan)) return new ScalarReader<TimeSpan>(name, Compile<TimeSpan>(type, getter, box: false));
            if (valueType == typeof(Guid)) return new ScalarReader<Guid>(name, Compile<Guid>(type, getter, box: false));
            if (valueType == typeof(decimal)) return new ScalarReader<decimal>(name, Compile<decimal>(type, getter, box: false));
            if (valueType == typeof(float)) return new ScalarReader<float>(name, Compile<float>(type, getter, box: false));
            if (valueType == typeof(short)) return new ScalarReader<short>(name, Compile<short>(type, getter, box: false));
            if (valueType == typeof(ushort)) return new ScalarReader<ushort>(name, Compile<ushort>(type, getter, box: false));
            if (valueType == typeof(uint)) return new ScalarReader<uint>(name, Compile<uint>(type, getter, box: false));
            if (valueType == typeof(ulong)) return new ScalarReader<ulong>(name, Compile<ulong>(type, getter, box: false));
            if (valueType == typeof(byte)) return new ScalarReader<byte>(name, Compile<byte>(type, getter, box: false));
            if (valueType == typeof(sbyte)) return new ScalarReader<sbyte>(name, Compile<sbyte>(type, getter, box: false));
            if (valueType == typeof(char)) return new ScalarReader<char>(name, Compile<char>(type, getter, box: false));
            if (valueType == typeof(DateOnly)) return new ScalarReader<DateOnly>(name, Compile<DateOnly>(type, getter, box: false));
            if (valueType == typeof(TimeOnly)) return new ScalarReader<TimeOnly>(name, Compile<TimeOnly>(type, getter, box: false));
            // References as they are; other value types (enums, nullables, structs) boxed, as reflection would.
            return new ObjectReader(name, Compile<object?>(type, getter, box: valueType.IsValueType));
        }

        /// <summary><c>(object target) => ((Type)target).Property</c>, boxed when asked.</summary>
        private static Func<object, TValue> Compile<TValue>(Type type, MethodInfo getter, bool box)
        {
            var method = new DynamicMethod("get_" + getter.Name, typeof(TValue), new[] { typeof(object) }, typeof(PropertyReader).Module, skipVisibility: true);
            ILGenerator il = method.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            if (type.IsValueType)
            {
                // The boxed struct itself, not a copy: the getter sees the logged value.
                il.Emit(OpCodes.Unbox, type);
                il.Emit(OpCodes.Call, getter);
            }
            else
            {
                il.Emit(OpCodes.Castclass, type);
                il.Emit(getter.IsVirtual ? OpCodes.Callvirt : OpCodes.Call, getter);
            }
            if (box)
            {
                il.Emit(OpCodes.Box, getter.ReturnType);
            }
            il.Emit(OpCodes.Ret);
            return method.CreateDelegate<Func<object, TValue>>();
        }
    }

    private sealed class ObjectReader : PropertyReader
    {
        private readonly Func<object, object?> _get;

        public ObjectReader(string name, Func<object, object?> get) : base(name, isScalar: false) => _get = get;

        public override object? Read(object target, ref ScalarSlot slot) => _get(target);
    }

    private sealed class ScalarReader<T> : PropertyReader where T : struct
    {
        private readonly Func<object, T> _get;

        public ScalarReader(string name, Func<object, T> get) : base(name, isScalar: true) => _get = get;

        public override object? Read(object target, ref ScalarSlot slot)
        {
            Unsafe.As<ScalarSlot, T>(ref slot) = _get(target);
            return null;
        }

        // One branch survives per T: the JIT compiles each value-type instantiation on its own.
        public override void WriteScalar(ref EventWriter writer, ref ScalarSlot slot)
        {
            ref T value = ref Unsafe.As<ScalarSlot, T>(ref slot);
            if (typeof(T) == typeof(int)) writer.WriteInt32(Unsafe.As<T, int>(ref value));
            else if (typeof(T) == typeof(long)) writer.WriteInt64(Unsafe.As<T, long>(ref value));
            else if (typeof(T) == typeof(double)) writer.WriteDouble(Unsafe.As<T, double>(ref value));
            else if (typeof(T) == typeof(bool)) writer.WriteBoolean(Unsafe.As<T, bool>(ref value));
            else if (typeof(T) == typeof(DateTimeOffset)) writer.WriteDateTimeOffset(Unsafe.As<T, DateTimeOffset>(ref value));
            else if (typeof(T) == typeof(DateTime)) writer.WriteDateTime(Unsafe.As<T, DateTime>(ref value));
            else if (typeof(T) == typeof(TimeSpan)) writer.WriteTimeSpan(Unsafe.As<T, TimeSpan>(ref value));
            else if (typeof(T) == typeof(Guid)) writer.WriteGuid(Unsafe.As<T, Guid>(ref value));
            else if (typeof(T) == typeof(decimal)) writer.WriteDecimal(Unsafe.As<T, decimal>(ref value));
            else if (typeof(T) == typeof(float)) writer.WriteSingle(Unsafe.As<T, float>(ref value));
            else if (typeof(T) == typeof(short)) writer.WriteInt16(Unsafe.As<T, short>(ref value));
            else if (typeof(T) == typeof(ushort)) writer.WriteUInt16(Unsafe.As<T, ushort>(ref value));
            else if (typeof(T) == typeof(uint)) writer.WriteUInt32(Unsafe.As<T, uint>(ref value));
            else if (typeof(T) == typeof(ulong)) writer.WriteUInt64(Unsafe.As<T, ulong>(ref value));
            else if (typeof(T) == typeof(byte)) writer.WriteByte(Unsafe.As<T, byte>(ref value));
            else if (typeof(T) == typeof(sbyte)) writer.WriteSByte(Unsafe.As<T, sbyte>(ref value));
            else if (typeof(T) == typeof(char)) writer.WriteChar(Unsafe.As<T, char>(ref value));
            else if (typeof(T) == typeof(DateOnly)) writer.WriteDateOnly(Unsafe.As<T, DateOnly>(ref value));
            else if (typeof(T) == typeof(TimeOnly)) writer.WriteTimeOnly(Unsafe.As<T, TimeOnly>(ref value));
            else throw new InvalidOperationException("no scalar writer for " + typeof(T).Name);
        }
    }
}
