using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Torture.Tests;

/// <summary>
/// Scenario 2: power loss, simulated on logs left by SIGKILLed children. The newest segment is
/// truncated, has 4 KiB pages zeroed or bits flipped; the reader must keep every intact record,
/// report every damaged one and accept nothing else, and recovery must leave a clean log.
/// </summary>
public class PowerLossTests
{
    private const int HeaderBytes = 128;
    private const int Page = 4096;
    private readonly ITestOutputHelper _output;

    public PowerLossTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [MemberData(nameof(Adapters.Both), MemberType = typeof(Adapters))]
    public void A_truncated_zeroed_or_bit_flipped_newest_segment_keeps_every_intact_record_and_reports_every_damaged_one(string role)
    {
        using var folder = new TempFolder();
        string log = folder.Sub("log");
        // Paced, so that the kill finds the first segment part full: a few hundred records, then zeros.
        KillChild(role, log, threads: 3, segmentBytes: 256 * 1024, flushEvery: 0, TimeSpan.FromMilliseconds(400), paceMilliseconds: 1);
        // The newest segment with records: the one after it, if any, is the standby prepared ahead, still empty.
        List<Span> all = Spans(Roles.LogPath(role, log));
        Assert.True(all[^1].Start >= 0, "the newest segment was left unsealed by the kill");
        string newest = Path.Combine(log, all[^1].Segment);
        List<Span> original = all.Where(s => s.Segment == all[^1].Segment).ToList();
        Assert.True(original.Count > 100, $"the newest segment holds {original.Count} records");
        byte[] pristine = File.ReadAllBytes(newest);
        long used = original.Max(s => s.End);

        var random = new Random(20261122);
        int trials = 0, damagedRecords = 0, undecodable = 0;
        foreach (string kind in new[] { "truncate", "zero-pages", "flip-bits" })
        {
            for (int trial = 0; trial < 10; trial++, trials++)
            {
                byte[] bytes = (byte[])pristine.Clone();
                int length = bytes.Length;
                switch (kind)
                {
                    case "truncate":
                        length = random.Next(HeaderBytes, (int)used + 64);
                        break;
                    case "zero-pages":
                        for (int n = 1 + random.Next(3); n > 0; n--)
                        {
                            int page = random.Next((int)(used / Page) + 1) * Page;
                            int from = Math.Max(page, HeaderBytes);
                            Array.Clear(bytes, from, Math.Min(page + Page, bytes.Length) - from);
                        }
                        break;
                    default:
                        for (int n = 1 + random.Next(8); n > 0; n--)
                        {
                            int at = random.Next(HeaderBytes, (int)used);
                            bytes[at] ^= (byte)(1 << random.Next(8));
                        }
                        break;
                }
                // The damaged segment alone: the segments before it are sealed and were written back long ago.
                string copy = Path.Combine(folder.Path, $"{kind}-{trial}");
                Directory.CreateDirectory(copy);
                File.WriteAllBytes(Path.Combine(copy, Path.GetFileName(newest)), bytes.AsSpan(0, length).ToArray());

                // A record is intact when every byte of it survived; all others are damaged.
                var intact = new HashSet<long>();
                var damaged = new List<Span>();
                foreach (Span s in original)
                {
                    // FORMAT.md: a frame is valid only if its padding to 8 bytes fits in the file too.
                    if (s.Start + ((s.Length + 7) & ~7) <= length && bytes.AsSpan((int)s.Start, s.Length).SequenceEqual(pristine.AsSpan((int)s.Start, s.Length))) intact.Add(s.Sequence);
                    else damaged.Add(s);
                }
                damagedRecords += damaged.Count;
                string basePath = Roles.LogPath(role, copy);
                var reader = new MmapLogReader(basePath);
                Dictionary<long, Span> byOriginal = all.ToDictionary(s => s.Sequence);
                var readBack = new HashSet<long>();
                foreach (MmapRecord record in reader.ReadRecords())
                {
                    Assert.True(byOriginal.TryGetValue(record.Sequence, out Span? was) && was.Length == record.Length && was.Segment == Path.GetFileName(record.SegmentPath),
                        $"{kind} {trial}: accepted record {record.Sequence} ({record.Length} bytes) that was never written there");
                    Assert.True(readBack.Add(record.Sequence), $"{kind} {trial}: record {record.Sequence} read twice");
                    if (record.DecodeError is not null) undecodable++;
                }
                foreach (long sequence in intact) Assert.True(readBack.Contains(sequence), $"{kind} {trial}: intact record {sequence} was not read");
                foreach (Span s in damaged) Assert.False(readBack.Contains(s.Sequence), $"{kind} {trial}: damaged record {s.Sequence} was accepted");

                // Every damaged record lies in a range the validation reports: a hole, a corrupt range, the torn tail, or cut off.
                SegmentReport report = reader.Validate().Segments.Single(r => Path.GetFileName(r.Path) == Path.GetFileName(newest));
                var reported = new List<ByteRange>(report.Holes.Concat(report.CorruptRanges));
                if (report.TornTail is { } tail) reported.Add(tail);
                foreach (Span s in damaged)
                {
                    // Cut by the truncation, or zero from here on: indistinguishable from never written, which is what a crash leaves too.
                    bool gone = s.End > length || bytes.AsSpan((int)s.Start, length - (int)s.Start).IndexOfAnyExcept((byte)0) < 0;
                    Assert.True(gone || reported.Any(r => r.Offset <= s.Start && s.Start < r.Offset + r.Length),
                        $"{kind} {trial}: damaged record {s.Sequence} at {s.Start}..{s.End} (file now {length} bytes) is not in any reported range: {string.Join(", ", reported)}");
                }

                // Recovery by the next writer keeps exactly the intact records and leaves a log with no corrupt range.
                string repaired;
                using (var writer = new MmapLogWriter(new MmapLogOptions { Path = basePath, SegmentSizeBytes = 256 * 1024, RetainedFileCountLimit = null }))
                {
                    repaired = string.Join(", ", writer.Recovery!.Repaired) + " " + string.Join(", ", writer.Recovery.Problems);
                }
                var recovered = new HashSet<long>(new MmapLogReader(basePath).ReadRecords().Select(r => r.Sequence));
                foreach (long sequence in intact) Assert.True(recovered.Contains(sequence), $"{kind} {trial}: intact record {sequence} at {original.Single(o => o.Sequence == sequence).Start} lost by recovery; damaged at {string.Join(", ", damaged.Select(d => d.Start))}; {repaired}; report before {string.Join(", ", reported)} torn {report.TornTail}");
                ValidationReport after = new MmapLogReader(basePath).Validate();
                Assert.All(after.Segments, s => Assert.True(s.CorruptRanges.Count == 0 && s.Problem is null, $"{kind} {trial}: after recovery {Path.GetFileName(s.Path)}: {s.Problem} {string.Join(", ", s.CorruptRanges)}"));
                TempFolder.TryDelete(copy);
            }
        }
        _output.WriteLine($"{trials} damaged copies of a {original.Count}-record segment: {damagedRecords} damaged records detected, none accepted; {undecodable} intact events undecodable because a string definition they use was damaged");
    }

    [Theory]
    [MemberData(nameof(Adapters.Both), MemberType = typeof(Adapters))]
    public void With_flush_to_disk_on_error_nothing_before_the_last_acknowledged_flush_is_lost_whatever_happens_to_the_bytes_after_it(string role)
    {
        using var folder = new TempFolder();
        string log = folder.Sub("log");
        // Every 64th event is an Error, on disk when its call returns (flushToDiskLevel Error); small segments so some flushes fall in sealed ones.
        AckSnapshot ack = KillChild(role, log, threads: 1, segmentBytes: 64 * 1024, flushEvery: 64, TimeSpan.FromMilliseconds(250));
        long flushed = ack.Flushed;
        Assert.True(flushed >= 64, $"the child acknowledged a flush ({flushed})");
        List<Span> original = Spans(Roles.LogPath(role, log));
        Span flushPoint = original.Single(s => s.Key == (0, 0, flushed));
        string[] segments = new MmapLogReader(Roles.LogPath(role, log)).SegmentFiles().Select(Path.GetFileName).ToArray()!;
        int flushSegment = Array.IndexOf(segments, flushPoint.Segment);
        var random = new Random(20261123);
        for (int trial = 0; trial < 20; trial++)
        {
            string copy = CopyLog(log, Path.Combine(folder.Path, "fake-" + trial));
            // The padding to 8 bytes is part of the frame (FORMAT.md) and shares the record's page, so it was flushed with it.
            FakePowerLoss(Path.Combine(copy, flushPoint.Segment), flushPoint.PaddedEnd, random);
            for (int later = flushSegment + 1; later < segments.Length; later++)
            {
                string file = Path.Combine(copy, segments[later]);
                switch (random.Next(3))
                {
                    case 0: File.Delete(file); break; // created after the flush: never reached the disk
                    case 1: FakePowerLoss(file, HeaderBytes, random); break;
                    default: break; // written back by the kernel in time
                }
            }
            Readback read = Readback.FromMmap(Roles.LogPath(role, copy));
            for (long c = 1; c <= flushed; c++)
            {
                Assert.True(read.Counts.GetValueOrDefault((0, 0, c)) == 1, $"trial {trial}: event {c} (flushed up to {flushed}) read {read.Counts.GetValueOrDefault((0, 0, c))} times");
            }
            Assert.All(read.Counts, kv => Assert.True(kv.Value == 1 && kv.Key.Counter <= ack.Acked[0] + 1, $"trial {trial}: event {kv.Key} read {kv.Value} times, acknowledged up to {ack.Acked[0]}"));
            Assert.Equal(0, read.Unrecognised);
            TempFolder.TryDelete(copy);
        }
        _output.WriteLine($"flushed up to event {flushed} of {ack.Acked[0]} acknowledged, in segment {flushSegment + 1} of {segments.Length}; 20 faked power losses kept all of them");
    }

    /// <summary>What the disk may hold after a power loss past <paramref name="durableEnd"/>: each later page old (zero), new, or garbage, and the file maybe cut.</summary>
    private static void FakePowerLoss(string file, long durableEnd, Random random)
    {
        byte[] bytes = File.ReadAllBytes(file);
        if (bytes.Length <= durableEnd)
        {
            // Nothing after the durable point (a next segment still being created at the kill, say).
            return;
        }
        long at = durableEnd;
        while (at < bytes.Length)
        {
            int end = (int)Math.Min(bytes.Length, (at / Page + 1) * Page);
            switch (random.Next(3))
            {
                case 0: Array.Clear(bytes, (int)at, end - (int)at); break;
                case 1: random.NextBytes(bytes.AsSpan((int)at, end - (int)at)); break;
                default: break;
            }
            at = end;
        }
        int length = random.Next(2) == 0 ? bytes.Length : (int)(durableEnd + random.Next(bytes.Length - (int)durableEnd + 1));
        File.WriteAllBytes(file, bytes.AsSpan(0, length).ToArray());
    }

    private static AckSnapshot KillChild(string role, string log, int threads, long segmentBytes, int flushEvery, TimeSpan runFor, int paceMilliseconds = 0)
    {
        var options = new ChildOptions(role, log, Path.Combine(Path.GetDirectoryName(log)!, "acks.bin")) { Threads = threads, SegmentBytes = segmentBytes, FlushEvery = flushEvery, PaceMilliseconds = paceMilliseconds };
        using ChildProcess child = ChildProcess.Start(options);
        child.WaitFor(a => a.Total > 0, TimeSpan.FromSeconds(60), "the first acknowledged event");
        Thread.Sleep(runFor);
        return child.Kill();
    }

    private static string CopyLog(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        return to;
    }

    /// <summary>Where each record sits: FORMAT.md puts a record at its successor's offset minus its 8-aligned length.</summary>
    private sealed record Span(string Segment, long Sequence, long Start, int Length, (int, int, long)? Key)
    {
        public long End => Start + Length;

        /// <summary>Where the frame ends with its padding to 8 bytes: a frame whose padding is cut off is not valid.</summary>
        public long PaddedEnd => Start + ((Length + 7) & ~7);
    }

    private static long SegmentNumber(string segmentPath)
    {
        string name = Path.GetFileNameWithoutExtension(segmentPath);
        return long.Parse(name[(name.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static List<Span> Spans(string basePath)
    {
        var spans = new List<Span>();
        foreach (MmapRecord record in new MmapLogReader(basePath).ReadRecords())
        {
            // An end-of-segment record's successor is in the next segment: it has no start to compute, and none is needed.
            bool sameSegment = record.Next.SegmentNumber == SegmentNumber(record.SegmentPath);
            (int, int, long)? key = record.Event is { } e && Readback.TryKey(e, out var k) ? k : null;
            spans.Add(new Span(Path.GetFileName(record.SegmentPath), record.Sequence, sameSegment ? record.Next.Offset - ((record.Length + 7) & ~7) : -1, record.Length, key));
        }
        return spans;
    }
}
