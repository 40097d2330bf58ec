using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;

namespace Sinks.Mmap.TestSupport;

/// <summary>
/// Writes an assembly's public surface as sorted text, one line per type and member, for a
/// committed snapshot: a change to what users can call shows up as a diff in review.
/// </summary>
internal static class PublicApi
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>The public types of <paramref name="assembly"/> and their visible members.</summary>
    internal static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (Type type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(DescribeType(type)).Append('\n');
            var members = new List<string>();
            foreach (MemberInfo member in type.GetMembers(Declared))
            {
                if (member.Name.StartsWith('<'))
                {
                    continue; // compiler-made (a record's <Clone>$), not callable from C#
                }

                string? line = DescribeMember(type, member);
                if (line is not null)
                {
                    members.Add("  " + line);
                }
            }

            members.Sort(StringComparer.Ordinal);
            foreach (string line in members)
            {
                text.Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string DescribeType(Type type)
    {
        string kind =
            type.IsEnum ? "enum" :
            type.IsInterface ? "interface" :
            type.IsValueType ? (IsRefStruct(type) ? "ref struct" : type.IsDefined(typeof(System.Runtime.CompilerServices.IsReadOnlyAttribute)) ? "readonly struct" : "struct") :
            typeof(Delegate).IsAssignableFrom(type.BaseType) ? "delegate" :
            type.IsAbstract && type.IsSealed ? "static class" :
            type.IsAbstract ? "abstract class" :
            type.IsSealed ? "sealed class" : "class";

        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
        {
            bases.Add(Name(baseType));
        }

        foreach (Type face in type.GetInterfaces().Where(i => i.IsVisible && !type.IsEnum).OrderBy(i => Name(i), StringComparer.Ordinal))
        {
            bases.Add(Name(face));
        }

        return $"{kind} {Name(type)}" + (bases.Count > 0 ? " : " + string.Join(", ", bases) : "");
    }

    private static bool IsRefStruct(Type type) =>
        type.GetCustomAttributes().Any(a => a.GetType().FullName == "System.Runtime.CompilerServices.IsByRefLikeAttribute");

    private static string? DescribeMember(Type owner, MemberInfo member)
    {
        switch (member)
        {
            case ConstructorInfo ctor when Visible(ctor) && !owner.IsEnum:
                return $"{Access(ctor)}{(ctor.IsStatic ? "static " : "")}.ctor({Parameters(ctor)})";
            case MethodInfo method when Visible(method) && !method.IsSpecialName:
                return $"{Access(method)}{Modifiers(method)}{Name(method.ReturnType)} {method.Name}{GenericArguments(method)}({Parameters(method)})";
            case MethodInfo op when Visible(op) && op.IsSpecialName && op.Name.StartsWith("op_", StringComparison.Ordinal):
                return $"{Access(op)}static {Name(op.ReturnType)} {op.Name}({Parameters(op)})";
            case PropertyInfo property:
            {
                MethodInfo? get = property.GetMethod is { } g && Visible(g) ? g : null;
                MethodInfo? set = property.SetMethod is { } s && Visible(s) ? s : null;
                if (get is null && set is null)
                {
                    return null;
                }

                MethodInfo any = get ?? set!;
                string indexer = property.GetIndexParameters().Length > 0
                    ? "this[" + string.Join(", ", property.GetIndexParameters().Select(p => Name(p.ParameterType) + " " + p.Name)) + "]"
                    : property.Name;
                string accessors = (get is not null ? "get; " : "") + (set is not null ? (IsInitOnly(set) ? "init; " : "set; ") : "");
                return $"{Access(any)}{Modifiers(any)}{Name(property.PropertyType)} {indexer} {{ {accessors}}}";
            }
            case FieldInfo field when (field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly) && !field.IsSpecialName:
                if (owner.IsEnum)
                {
                    return $"{field.Name} = {Convert.ToInt64(field.GetRawConstantValue())}";
                }

                return $"{(field.IsPublic ? "public " : "protected ")}{(field.IsLiteral ? "const " : field.IsStatic ? "static " : "")}{(field.IsInitOnly ? "readonly " : "")}{Name(field.FieldType)} {field.Name}";
            case EventInfo e when e.AddMethod is { } add && Visible(add):
                return $"{Access(add)}event {Name(e.EventHandlerType!)} {e.Name}";
            default:
                return null;
        }
    }

    private static bool Visible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static string Access(MethodBase method) => method.IsPublic ? "public " : "protected ";

    private static string Modifiers(MethodInfo method)
    {
        if (method.IsStatic)
        {
            return "static ";
        }

        if (method.DeclaringType!.IsInterface)
        {
            return "";
        }

        if (method.IsAbstract)
        {
            return "abstract ";
        }

        if (method.IsVirtual && !method.IsFinal)
        {
            return method.GetBaseDefinition() == method ? "virtual " : "override ";
        }

        return method.IsVirtual && method.GetBaseDefinition() != method ? "override " : "";
    }

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit");

    private static string GenericArguments(MethodInfo method) =>
        method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(Name)) + ">" : "";

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p =>
        {
            string prefix = p.ParameterType.IsByRef ? (p.IsOut ? "out " : p.IsIn ? "in " : "ref ") : "";
            string optional = p.HasDefaultValue ? " = " + (p.DefaultValue switch { null => p.ParameterType.IsValueType && Nullable.GetUnderlyingType(p.ParameterType) is null ? "default" : "null", string s => "\"" + s + "\"", bool b => b ? "true" : "false", var v => v.ToString() }) : "";
            return prefix + Name(p.ParameterType) + " " + p.Name + optional;
        }));

    private static string Name(Type type)
    {
        if (type.IsByRef || type.IsPointer)
        {
            return Name(type.GetElementType()!) + (type.IsPointer ? "*" : "");
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        string name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : (type.Namespace is { Length: > 0 } ns ? ns + "." : "") + type.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0)
        {
            name = name[..tick];
        }

        if (type.IsGenericType)
        {
            Type[] arguments = type.GetGenericArguments();
            if (type.IsNested && type.DeclaringType!.IsGenericType)
            {
                arguments = arguments[type.DeclaringType.GetGenericArguments().Length..];
            }

            if (arguments.Length > 0)
            {
                name += "<" + string.Join(", ", arguments.Select(Name)) + ">";
            }
        }

        return name;
    }
}
