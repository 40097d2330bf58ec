using System;
using System.Buffers.Binary;
using System.IO;
using Microsoft.Win32.SafeHandles;
using Sinks.Mmap.Format;
using Sinks.Mmap.Storage;
using ZstdSharp;

namespace Sinks.Mmap.Compression;

/// <summary>
/// The compressed-segment container (FORMAT.md, <i>Compressed segments</i>): the one place that
/// writes its bytes and the one place that reads them. A sealed segment's bytes are cut into blocks
/// compressed independently (Zstandard), so a reader decompresses only the block it needs.
/// </summary>
internal sealed class CompressedSegment : IDisposable
{
    /// <summary>ASCII <c>SMMAPZBK</c>.</summary>
    public static ReadOnlySpan<byte> Magic => "SMMAPZBK"u8;

    /// <summary>Appended to a segment's file name to name its container.</summary>
    public const string FileSuffix = "z";

    public const int HeaderSize = 64;
    public const int TrailerSize = 16;
    public const ushort Version = 1;
    public const ushort ZstdCodec = 1;
    public const int DefaultBlockSize = 256 * 1024;
    public const int MinBlockSize = 4096;
    public const int MaxBlockSize = 16 * 1024 * 1024;
    public const long MinRawLength = FormatConstants.HeaderSize;
    public const long MaxRawLength = 1L << 30;

    /// <summary>Zstandard's level 1: the measured choice (docs/DESIGN.md, <i>Compressed segments</i>).</summary>
    public const int DefaultLevel = 1;

    private readonly SafeFileHandle _handle;
    private readonly long[] _blockOffsets;
    private readonly int[] _blockLengths;
    private readonly uint[] _blockCrcs;
    private readonly Decompressor _decompressor = new();
    private byte[] _compressed = Array.Empty<byte>();

    private CompressedSegment(SafeFileHandle handle, int blockSize, long rawLength, uint rawCrc, long[] offsets, int[] lengths, uint[] crcs, uint fileCrc, long indexOffset)
    {
        _handle = handle;
        BlockSize = blockSize;
        RawLength = rawLength;
        RawCrc = rawCrc;
        _blockOffsets = offsets;
        _blockLengths = lengths;
        _blockCrcs = crcs;
        FileCrc = fileCrc;
        TrailerOffset = indexOffset + 8L * lengths.Length;
    }

    /// <summary>The raw bytes in every block but the last.</summary>
    public int BlockSize { get; }

    /// <summary>The segment's size: the bytes a reader sees.</summary>
    public long RawLength { get; }

    /// <summary>The CRC32C of every raw byte, as the container states it.</summary>
    public uint RawCrc { get; }

    /// <summary>The CRC32C of every byte before the trailer, as the container states it.</summary>
    public uint FileCrc { get; }

    /// <summary>Where the trailer starts: the bytes the whole-file CRC covers.</summary>
    public long TrailerOffset { get; }

    public int BlockCount => _blockLengths.Length;

    /// <summary>Whether <paramref name="start"/> (a file's first bytes) is a container's magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> start) => start.Length >= 8 && start[..8].SequenceEqual(Magic);

    /// <summary>Whether <paramref name="path"/> names a container of a log whose segments end in <paramref name="extension"/>.</summary>
    public static bool IsContainerName(string path, string extension) => path.EndsWith(extension + FileSuffix, StringComparison.Ordinal);

    /// <summary>A segment's container name: <c>app-000007.mlog</c> → <c>app-000007.mlogz</c>.</summary>
    public static string ContainerPath(string segmentPath) => segmentPath + FileSuffix;

    /// <summary>
    /// Reads the container's header, index and trailer from <paramref name="handle"/> (taking it over)
    /// and checks them; null with <paramref name="problem"/> saying what is wrong when the container
    /// is unreadable. Reads at most the header, trailer and index (≤ 32 KiB for 1 GiB of segment).
    /// </summary>
    public static CompressedSegment? Open(SafeFileHandle handle, out string? problem)
    {
        try
        {
            CompressedSegment? container = Parse(handle, out problem);
            if (container is null)
            {
                handle.Dispose();
            }
            return container;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static CompressedSegment? Parse(SafeFileHandle handle, out string? problem)
    {
        long fileLength = RandomAccess.GetLength(handle);
        Span<byte> header = stackalloc byte[HeaderSize];
        if (fileLength < HeaderSize + TrailerSize || SegmentFiles.ReadFully(handle, header, 0) < HeaderSize || !HasMagic(header))
        {
            problem = "not a compressed segment (too short or no magic)";
            return null;
        }
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        ushort codec = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        if (version != Version || codec != ZstdCodec)
        {
            problem = $"compressed segment version {version}, codec {codec}: this reader reads version {Version}, codec {ZstdCodec} (Zstandard)";
            return null;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[60..]) != Crc32C.Compute(header[..60]))
        {
            problem = "the compressed segment's header CRC does not match";
            return null;
        }
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        uint blockSize = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        uint blockCount = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
        ulong rawLength = BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
        uint rawCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[32..]);
        if (headerSize != HeaderSize || blockSize < MinBlockSize || blockSize > MaxBlockSize || blockSize % MinBlockSize != 0
            || rawLength < MinRawLength || rawLength > MaxRawLength
            || blockCount != (rawLength + blockSize - 1) / blockSize)
        {
            problem = $"the compressed segment's sizes are out of range (header {headerSize}, block {blockSize}, blocks {blockCount}, raw {rawLength})";
            return null;
        }
        Span<byte> trailer = stackalloc byte[TrailerSize];
        SegmentFiles.ReadFully(handle, trailer, fileLength - TrailerSize);
        ulong indexOffset = BinaryPrimitives.ReadUInt64LittleEndian(trailer);
        uint indexCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer[8..]);
        uint fileCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer[12..]);
        long indexBytes = 8L * blockCount;
        if (indexOffset < HeaderSize || (long)indexOffset + indexBytes + TrailerSize != fileLength)
        {
            problem = $"the compressed segment's index does not fit its file ({fileLength} bytes, index at {indexOffset})";
            return null;
        }
        byte[] index = new byte[indexBytes];
        if (SegmentFiles.ReadFully(handle, index, (long)indexOffset) < index.Length || Crc32C.Compute(index) != indexCrc)
        {
            problem = "the compressed segment's index CRC does not match";
            return null;
        }
        var offsets = new long[blockCount];
        var lengths = new int[blockCount];
        var crcs = new uint[blockCount];
        long offset = HeaderSize;
        long maxLength = MaxCompressedLength((int)blockSize);
        for (int i = 0; i < blockCount; i++)
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(index.AsSpan(8 * i));
            if (length == 0 || length > maxLength)
            {
                problem = $"the compressed segment's block {i} claims {length} bytes";
                return null;
            }
            offsets[i] = offset;
            lengths[i] = (int)length;
            crcs[i] = BinaryPrimitives.ReadUInt32LittleEndian(index.AsSpan(8 * i + 4));
            offset += length;
        }
        if (offset != (long)indexOffset)
        {
            problem = $"the compressed segment's blocks end at {offset}, its index starts at {indexOffset}";
            return null;
        }
        problem = null;
        return new CompressedSegment(handle, (int)blockSize, (long)rawLength, rawCrc, offsets, lengths, crcs, fileCrc, (long)indexOffset);
    }

    /// <summary>The raw bytes block <paramref name="block"/> holds.</summary>
    public int RawBlockLength(int block) => (int)Math.Min(BlockSize, RawLength - (long)block * BlockSize);

    /// <summary>
    /// Decompresses block <paramref name="block"/> into <paramref name="destination"/> (at least
    /// <see cref="RawBlockLength"/> bytes); false when the block is damaged (CRC, codec or length),
    /// with <paramref name="problem"/> saying how.
    /// </summary>
    public bool TryReadBlock(int block, Span<byte> destination, out string? problem)
    {
        int length = _blockLengths[block];
        if (_compressed.Length < length)
        {
            _compressed = new byte[Math.Max(length, 64 * 1024)];
        }
        Span<byte> compressed = _compressed.AsSpan(0, length);
        if (SegmentFiles.ReadFully(_handle, compressed, _blockOffsets[block]) < length || Crc32C.Compute(compressed) != _blockCrcs[block])
        {
            problem = $"compressed block {block} fails its CRC";
            return false;
        }
        int expected = RawBlockLength(block);
        int written;
        try
        {
            written = _decompressor.Unwrap(compressed, destination[..expected]);
        }
        catch (ZstdException ex)
        {
            problem = $"compressed block {block} does not decompress ({ex.Message})";
            return false;
        }
        if (written != expected)
        {
            problem = $"compressed block {block} holds {written} bytes, not {expected}";
            return false;
        }
        problem = null;
        return true;
    }

    /// <summary>The CRC32C of the file's bytes before the trailer, computed now (for <c>verify</c>).</summary>
    public uint ComputeFileCrc()
    {
        byte[] buffer = new byte[1 << 20];
        uint crc = 0xFFFFFFFFu;
        for (long offset = 0; offset < TrailerOffset;)
        {
            int n = SegmentFiles.ReadFully(_handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, TrailerOffset - offset)), offset);
            if (n <= 0) break;
            crc = Crc32C.Append(crc, buffer.AsSpan(0, n));
            offset += n;
        }
        return ~crc;
    }

    public void Dispose()
    {
        _decompressor.Dispose();
        _handle.Dispose();
    }

    /// <summary>
    /// Writes the container of the raw segment bytes read from <paramref name="source"/> to
    /// <paramref name="destination"/>, from its start; returns the container's length. The caller
    /// owns both streams and flushes.
    /// </summary>
    public static long Write(Stream source, long rawLength, Stream destination, int blockSize = DefaultBlockSize, int level = DefaultLevel, System.Threading.CancellationToken cancel = default, CompressionPacer? pacer = null)
    {
        if (rawLength < MinRawLength || rawLength > MaxRawLength) throw new ArgumentOutOfRangeException(nameof(rawLength), rawLength, "a segment is 128 bytes to 1 GiB");
        if (blockSize < MinBlockSize || blockSize > MaxBlockSize || blockSize % MinBlockSize != 0) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "4 KiB to 16 MiB, a multiple of 4 KiB");
        int blockCount = (int)((rawLength + blockSize - 1) / blockSize);
        byte[] raw = new byte[blockSize];
        byte[] compressed = new byte[MaxCompressedLength(blockSize)];
        byte[] index = new byte[8 * blockCount];

        // The header needs the raw CRC: one pass over the source first (a sealed segment is in the page cache).
        uint rawCrc = 0xFFFFFFFFu;
        long start = source.Position;
        for (long done = 0; done < rawLength;)
        {
            int n = source.Read(raw, 0, (int)Math.Min(blockSize, rawLength - done));
            if (n <= 0) throw new EndOfStreamException($"the segment ended after {done} of {rawLength} bytes");
            rawCrc = Crc32C.Append(rawCrc, raw.AsSpan(0, n));
            done += n;
        }
        source.Position = start;

        Span<byte> header = stackalloc byte[HeaderSize];
        header.Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], ZstdCodec);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)blockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)blockCount);
        BinaryPrimitives.WriteUInt64LittleEndian(header[24..], (ulong)rawLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[32..], ~rawCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[60..], Crc32C.Compute(header[..60]));
        destination.Write(header);
        uint fileCrc = Crc32C.Append(0xFFFFFFFFu, header);
        long written = HeaderSize;

        using var compressor = new Compressor(level);
        for (int i = 0; i < blockCount; i++)
        {
            cancel.ThrowIfCancellationRequested();
            pacer?.BeforeBlock(cancel);
            int want = (int)Math.Min(blockSize, rawLength - (long)i * blockSize);
            int got = 0;
            while (got < want)
            {
                int n = source.Read(raw, got, want - got);
                if (n <= 0) throw new EndOfStreamException($"the segment ended inside block {i}");
                got += n;
            }
            int length = compressor.Wrap(raw.AsSpan(0, want), compressed);
            ReadOnlySpan<byte> block = compressed.AsSpan(0, length);
            BinaryPrimitives.WriteUInt32LittleEndian(index.AsSpan(8 * i), (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(index.AsSpan(8 * i + 4), Crc32C.Compute(block));
            destination.Write(block);
            fileCrc = Crc32C.Append(fileCrc, block);
            written += length;
        }
        destination.Write(index);
        fileCrc = Crc32C.Append(fileCrc, index);
        Span<byte> trailer = stackalloc byte[TrailerSize];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, (ulong)written);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[8..], Crc32C.Compute(index));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[12..], ~fileCrc);
        destination.Write(trailer);
        return written + index.Length + TrailerSize;
    }

    private static int MaxCompressedLength(int blockSize) => 2 * blockSize + 65536;
}
