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
internal sealed class ScratchBuffer
{
    // Big enough for nearly every event; larger ones (long exception texts) measure, then encode in place.
    public const int Size = 8 * 1024;

    [ThreadStatic]
    private static ScratchBuffer? t_buffer;

    private bool _rented;

    public byte[] Bytes { get; } = new byte[Size];

    /// <summary>The encoder's count of values left at each open level (<see cref="EventWriter.LevelStackSize"/> of them).</summary>
    public int[] Levels { get; } = new int[EventWriter.LevelStackSize];

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
