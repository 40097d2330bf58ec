using System.Runtime.InteropServices;

namespace Sinks.Mmap.Writing;

/// <summary>
/// The base of an object one logging thread writes on every event (its scratch buffer, its claims,
/// its claim block): 128 bytes before the object's fields, and <see cref="LinePadding"/> as the last
/// field of the object after them, so no other object shares their cache lines.
/// </summary>
/// <remarks>
/// A garbage collection that compacts packs the threads' long-lived objects side by side. With two
/// threads logging, one thread's writes then took the line of the other's (or of an object both
/// read, such as the sink), and each append missed: the claim block's fields took a quarter of the
/// append's samples at two threads, and Serilog → Mmap ran at 65–75 % of the empty sink's throughput
/// against 77–89 % padded (peer-pairs, 2 threads, eight runs each, alternated). 128 bytes, not 64:
/// the adjacent-line prefetcher moves lines in pairs. The runtime lays out a base class's fields
/// before its subclass's, and a struct field after the primitive ones, which is what puts the
/// padding on both sides: checked for CoreCLR by a test (OwnCacheLinesTests), not for Native AOT's
/// layout, where only the speed would differ.
/// </remarks>
internal abstract class OwnCacheLines
{
#pragma warning disable CS0169 // never read: it only keeps other objects off the subclass's lines
    private LinePadding _leading;
#pragma warning restore CS0169
}

/// <summary>128 bytes of nothing: two cache lines, as the adjacent-line prefetcher moves them.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct LinePadding
{
    /// <summary>The padding's size in bytes.</summary>
    public const int Size = 128;
}
