using System;
using System.Runtime.CompilerServices;
using Sinks.Mmap.Adapters;

namespace Sinks.Mmap.Writing;

/// <summary>
/// A per-thread buffer that an event is encoded into once, before its slot is claimed, so the
/// payload runs a single time instead of measuring then writing. Rented for the length of one
/// Append: a nested log call on the same thread (a property's ToString that logs) finds it busy and
/// takes the two-pass route instead.
/// </summary>
internal sealed class ScratchBuffer : OwnCacheLines
{
    // Big enough for nearly every event; larger ones (long exception texts) measure, then encode in place.
    public const int Size = 8 * 1024;

    [ThreadStatic]
    private static ScratchBuffer? t_buffer;

    private bool _rented;

    // Events are encoded from past the array's first 128 bytes: an array's first bytes share a line with
    // the object before it, which may be another thread's (OwnCacheLines). Its end is never written.
    private readonly byte[] _bytes = new byte[LinePadding.Size + Size];

#pragma warning disable CS0169 // never read: keeps the next object off this one's lines (OwnCacheLines)
    private LinePadding _trailing;
#pragma warning restore CS0169

    /// <summary>Where an event is encoded: <see cref="Size"/> bytes.</summary>
    public Span<byte> Bytes => new(_bytes, LinePadding.Size, Size);

    /// <summary>The encoder's count of values left at each open level (<see cref="EventWriter.LevelStackSize"/> of them).</summary>
    public Span<int> Levels => new(_levels, LinePadding.Size / sizeof(int), EventWriter.LevelStackSize);

    // Written from past its first 128 bytes, as the bytes are (an event with containers writes it).
    private readonly int[] _levels = new int[LinePadding.Size / sizeof(int) + EventWriter.LevelStackSize];

    /// <summary>How this thread claims its records: one by one, or in a block of its own.</summary>
    public ThreadClaims Claims { get; } = new();

    /// <summary>The string ids this thread's recent events used, by position.</summary>
    public RecentStringRefs StringRefs { get; } = new();

    /// <summary>This thread's buffer, or null when it is already in use further up the stack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScratchBuffer? Rent()
    {
        // Inlined into every append: the thread's first event makes its buffer, out of line.
        ScratchBuffer buffer = t_buffer ?? Create();
        if (buffer._rented)
        {
            return null;
        }
        buffer._rented = true;
        return buffer;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ScratchBuffer Create() => t_buffer = new ScratchBuffer();

    public void Return() => _rented = false;
}
