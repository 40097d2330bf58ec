using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.Win32.SafeHandles;
using Sinks.Mmap.Reading;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Compression;

/// <summary>
/// Replaces a sealed segment with its compressed container, so that a kill at any instant loses
/// nothing and never leaves a segment counted twice: the container is written under a temporary
/// name, flushed to disk, read back and checked against the segment, renamed into place (and the
/// rename made durable), and only then is the segment deleted. Readers prefer the plain file while
/// both exist; <see cref="Recover"/> finishes or discards what a kill left.
/// </summary>
internal static class SegmentCompressor
{
    /// <summary>Appended to a container's name while it is written.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>
    /// Compresses the sealed segment at <paramref name="segmentPath"/>; returns the container's path.
    /// Throws on I/O failure or cancellation, leaving the segment as it was (and no temporary file).
    /// </summary>
    public static string Compress(string segmentPath, int blockSize = CompressedSegment.DefaultBlockSize, int level = CompressedSegment.DefaultLevel, System.Threading.CancellationToken cancel = default, CompressionPacer? pacer = null)
    {
        string container = CompressedSegment.ContainerPath(segmentPath);
        string temporary = container + TemporarySuffix;
        SafeFileHandle source = RegularFile.OpenForRead(segmentPath, out string? notRegular)
            ?? throw new IOException($"{Path.GetFileName(segmentPath)} is not a regular file ({notRegular})");
        using (var input = new FileStream(source, FileAccess.Read, bufferSize: 0))
        {
            long rawLength = input.Length;
            try
            {
                // CreateNew is O_EXCL: nothing planted under the temporary name is followed or overwritten.
                using (var output = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 1 << 16 }))
                {
                    CompressedSegment.Write(input, rawLength, output, blockSize, level, cancel, pacer);
                    output.Flush(flushToDisk: true);
                }
                input.Position = 0;
                string? problem = Check(temporary, input, rawLength);
                if (problem is not null)
                {
                    throw new IOException($"the compressed copy of {Path.GetFileName(segmentPath)} did not read back: {problem}");
                }
                File.Move(temporary, container, overwrite: false);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }
        }
        SyncFolder(container);
        File.Delete(segmentPath);
        SyncFolder(segmentPath);
        return container;
    }

    /// <summary>
    /// What a kill during <see cref="Compress"/> left in the lane of <paramref name="naming"/> (its
    /// files, owned by the caller): a temporary container is deleted; a container beside its plain
    /// segment is checked, and then the plain segment is deleted (the container is complete) or the
    /// container is (it is not). Returns what it did, a line each.
    /// </summary>
    public static List<string> Recover(SegmentNaming naming)
    {
        var done = new List<string>();
        if (!Directory.Exists(naming.Directory))
        {
            return done;
        }
        foreach (string temporary in Directory.EnumerateFiles(naming.Directory, naming.Stem + "-*" + naming.Extension + CompressedSegment.FileSuffix + TemporarySuffix))
        {
            if (UnixFiles.IsSupported && UnixFiles.KindAt(temporary) != FileKind.Regular) continue;
            TryDelete(temporary);
            done.Add($"deleted {Path.GetFileName(temporary)}, a compression cut short");
        }
        foreach ((long _, string path) in naming.List())
        {
            string container = CompressedSegment.ContainerPath(path);
            if (CompressedSegment.IsContainerName(path, naming.Extension) || !File.Exists(container))
            {
                continue;
            }
            SafeFileHandle? handle = RegularFile.OpenForRead(path, out _);
            if (handle is null) continue;
            string? problem;
            using (var input = new FileStream(handle, FileAccess.Read, bufferSize: 0))
            {
                problem = Check(container, input, input.Length);
            }
            if (problem is null)
            {
                File.Delete(path);
                done.Add($"deleted {Path.GetFileName(path)}: its compressed copy is complete");
            }
            else
            {
                TryDelete(container);
                done.Add($"deleted {Path.GetFileName(container)}, incomplete ({problem}); {Path.GetFileName(path)} stays");
            }
        }
        return done;
    }

    /// <summary>Null when the container at <paramref name="containerPath"/> holds exactly the <paramref name="rawLength"/> bytes of <paramref name="original"/>; else what differs.</summary>
    private static string? Check(string containerPath, Stream original, long rawLength)
    {
        SafeFileHandle? handle = RegularFile.OpenForRead(containerPath, out string? notRegular);
        if (handle is null) return $"not a regular file ({notRegular})";
        using CompressedSegment? container = CompressedSegment.Open(handle, out string? problem);
        if (container is null) return problem;
        if (container.RawLength != rawLength) return $"it holds {container.RawLength} bytes, the segment {rawLength}";
        if (container.ComputeFileCrc() != container.FileCrc) return "its whole-file CRC does not match";
        byte[] block = new byte[container.BlockSize];
        byte[] expected = new byte[container.BlockSize];
        for (int i = 0; i < container.BlockCount; i++)
        {
            int length = container.RawBlockLength(i);
            if (!container.TryReadBlock(i, block, out problem)) return problem;
            int got = 0;
            while (got < length)
            {
                int n = original.Read(expected, got, length - got);
                if (n <= 0) return "the segment is shorter than its copy";
                got += n;
            }
            if (!block.AsSpan(0, length).SequenceEqual(expected.AsSpan(0, length))) return $"block {i} differs from the segment";
        }
        return null;
    }

    private static void SyncFolder(string path)
    {
        if (UnixFiles.IsSupported && Path.GetDirectoryName(Path.GetFullPath(path)) is string folder && !UnixFiles.SyncDirectory(folder, out int errno))
        {
            throw UnixFiles.ToException(errno, folder);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
