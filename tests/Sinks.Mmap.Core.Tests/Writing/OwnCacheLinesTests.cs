using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sinks.Mmap.Writing;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

/// <summary>
/// The objects a logging thread writes on every event keep those fields off every other object's cache
/// lines (OwnCacheLines): what would break it is a field moved out of the padded class, or a runtime that
/// lays out a base class's or a struct's fields elsewhere.
/// </summary>
public class OwnCacheLinesTests
{
    // Any object seen as this: Data is its first field's byte, just past the method table pointer.
    private sealed class RawData
    {
#pragma warning disable CS0649 // never assigned: only its place is used
        public byte Data;
#pragma warning restore CS0649
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_trailing")]
    private static extern ref LinePadding Trailing(ClaimBlock block);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_trailing")]
    private static extern ref LinePadding Trailing(ThreadClaims claims);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_trailing")]
    private static extern ref LinePadding Trailing(ScratchBuffer scratch);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_rented")]
    private static extern ref bool Rented(ScratchBuffer scratch);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_lastEnd")]
    private static extern ref int LastEnd(ThreadClaims claims);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_bytes")]
    private static extern ref byte[] BytesArray(ScratchBuffer scratch);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_levels")]
    private static extern ref int[] LevelsArray(ScratchBuffer scratch);

    /// <summary>Where <paramref name="field"/> lies in <paramref name="owner"/>, counted from its first field.</summary>
    private static long OffsetOf<T>(object owner, ref T field) =>
        (long)Unsafe.ByteOffset(ref Unsafe.As<RawData>(owner).Data, ref Unsafe.As<T, byte>(ref field));

    private static void AssertPadded<T>(object owner, ref LinePadding trailing, string name, ref T field)
    {
        long offset = OffsetOf(owner, ref field);
        long trailingAt = OffsetOf(owner, ref trailing);
        Assert.True(offset >= LinePadding.Size, $"{owner.GetType().Name}.{name} is {offset} bytes into the object, within the leading padding's reach");
        Assert.True(offset + Unsafe.SizeOf<T>() <= trailingAt, $"{owner.GetType().Name}.{name} ends at {offset + Unsafe.SizeOf<T>()}, past the trailing padding at {trailingAt}");
    }

    [Fact]
    public void A_claim_blocks_words_lie_between_its_two_paddings()
    {
        var block = new ClaimBlock(null!, ClaimBlock.SmallestSize);
        ref LinePadding trailing = ref Trailing(block);
        AssertPadded(block, ref trailing, nameof(block.State), ref block.State);
        AssertPadded(block, ref trailing, nameof(block.Start), ref block.Start);
        AssertPadded(block, ref trailing, nameof(block.Limit), ref block.Limit);
        AssertPadded(block, ref trailing, nameof(block.FirstSequence), ref block.FirstSequence);
        AssertPadded(block, ref trailing, nameof(block.Reserved), ref block.Reserved);
        AssertPadded(block, ref trailing, nameof(block.Size), ref block.Size);
        AssertPadded(block, ref trailing, nameof(block.ClosedByOwner), ref block.ClosedByOwner);
        AssertPadded(block, ref trailing, nameof(block.Appends), ref block.Appends);
    }

    [Fact]
    public void A_threads_claims_lie_between_their_two_paddings()
    {
        var claims = new ThreadClaims();
        ref LinePadding trailing = ref Trailing(claims);
        AssertPadded(claims, ref trailing, nameof(claims.UseBlocks), ref claims.UseBlocks);
        AssertPadded(claims, ref trailing, nameof(claims.Block), ref claims.Block);
        AssertPadded(claims, ref trailing, "_lastEnd", ref LastEnd(claims));
    }

    [Fact]
    public void A_scratch_buffers_flag_encoded_bytes_and_level_counts_are_off_their_neighbours_lines()
    {
        var scratch = (ScratchBuffer)RuntimeHelpers.GetUninitializedObject(typeof(ScratchBuffer));
        AssertPadded(scratch, ref Trailing(scratch), "_rented", ref Rented(scratch));

        scratch = ScratchBuffer.Rent()!;
        try
        {
            byte[] array = BytesArray(scratch);
            long start = (long)Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(array), ref MemoryMarshal.GetReference(scratch.Bytes));
            Assert.True(start >= LinePadding.Size, $"events are encoded {start} bytes into the array, within reach of the object before it");
            Assert.Equal(ScratchBuffer.Size, scratch.Bytes.Length);
            Assert.True(start + scratch.Bytes.Length <= array.Length);

            int[] levels = LevelsArray(scratch);
            long levelsStart = (long)Unsafe.ByteOffset(ref Unsafe.As<int, byte>(ref MemoryMarshal.GetArrayDataReference(levels)), ref Unsafe.As<int, byte>(ref MemoryMarshal.GetReference(scratch.Levels)));
            Assert.True(levelsStart >= LinePadding.Size, $"the level counts start {levelsStart} bytes into their array, within reach of the object before it");
            Assert.Equal(EventWriter.LevelStackSize, scratch.Levels.Length);
        }
        finally
        {
            scratch.Return();
        }
    }
}
