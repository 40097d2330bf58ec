using System;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Reading;

/// <summary>
/// What <see cref="EventBodyWalker"/> tells as it walks a body. Calls come in body order; a walk that
/// fails part-way stops calling, and the visitor's output must then be discarded.
/// </summary>
internal interface IEventBodyVisitor
{
    void Head(scoped in EventHead head);
    /// <summary>A property name; <paramref name="depth"/> 0 for the event's own properties, more inside structures.</summary>
    void PropertyName(StrRef name, int index, int depth);
    void Null();
    void Bool(bool value);
    /// <summary>A signed integer; <paramref name="tag"/> says which (SByte, Int16, Int32 or Int64).</summary>
    void Integer(long value, ValueTag tag);
    /// <summary>An unsigned integer; <paramref name="tag"/> says which (Byte, UInt16, UInt32 or UInt64).</summary>
    void Unsigned(ulong value, ValueTag tag);
    void Single(float value);
    void Double(double value);
    void Decimal(decimal value);
    void String(Utf8Field value);
    void Char(char value);
    void DateTime(DateTime value);
    void DateTimeOffset(DateTimeOffset value);
    void TimeSpan(TimeSpan value);
    void Guid(Guid value);
    void Bytes(ReadOnlySpan<byte> value);
    void DateOnly(DateOnly value);
    void TimeOnly(TimeOnly value);
    void Opaque(StrRef typeName, Utf8Field text);
    /// <summary>An enum (1.2): <paramref name="bits"/> is the number, sign-extended when <paramref name="underlying"/> is signed.</summary>
    void Enum(StrRef typeName, ValueTag underlying, ulong bits, StrRef name);
    void BeginSequence(int count);
    void SequenceElement(int index);
    void EndSequence();
    void BeginStructure(int count);
    void EndStructure(StrRef typeTag, int count);
    void BeginDictionary(int count);
    void EndDictionary();
    void EndProperties();
}

/// <summary>A visitor that does nothing: walking with it only validates.</summary>
internal struct ValidatingVisitor : IEventBodyVisitor
{
    public void Head(scoped in EventHead head) { }
    public void PropertyName(StrRef name, int index, int depth) { }
    public void Null() { }
    public void Bool(bool value) { }
    public void Integer(long value, ValueTag tag) { }
    public void Unsigned(ulong value, ValueTag tag) { }
    public void Single(float value) { }
    public void Double(double value) { }
    public void Decimal(decimal value) { }
    public void String(Utf8Field value) { }
    public void Char(char value) { }
    public void DateTime(DateTime value) { }
    public void DateTimeOffset(DateTimeOffset value) { }
    public void TimeSpan(TimeSpan value) { }
    public void Guid(Guid value) { }
    public void Bytes(ReadOnlySpan<byte> value) { }
    public void DateOnly(DateOnly value) { }
    public void TimeOnly(TimeOnly value) { }
    public void Opaque(StrRef typeName, Utf8Field text) { }
    public void Enum(StrRef typeName, ValueTag underlying, ulong bits, StrRef name) { }
    public void BeginSequence(int count) { }
    public void SequenceElement(int index) { }
    public void EndSequence() { }
    public void BeginStructure(int count) { }
    public void EndStructure(StrRef typeTag, int count) { }
    public void BeginDictionary(int count) { }
    public void EndDictionary() { }
    public void EndProperties() { }
}
