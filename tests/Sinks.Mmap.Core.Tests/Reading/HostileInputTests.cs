using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Sinks.Mmap.Format;
using Sinks.Mmap.Recovery;
using Sinks.Mmap.Storage;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Reading;

/// <summary>
/// Damaged and hostile files, generated from real segments with a fixed seed: reading and
/// validating always finish, throw nothing but <see cref="MmapFormatException"/>, and never yield
/// an event that was not written.
/// </summary>
public class HostileInputTests
{
    private const int Seed = 20261121;
    private static readonly TimeSpan PerMutantTimeout = TimeSpan.FromSeconds(10);

    private sealed class Originals
    {
        public byte[] Sealed = Array.Empty<byte>();
        public byte[] Crashed = Array.Empty<byte>();
        public Dictionary<long, string> Events = new();
    }

    private struct RichEvent : IEventPayload
    {
        public int I;

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader
            {
                MessageTemplate = "Rich {I} {Name} {Items} {Map}",
                LoggerName = "Logger" + (I % 3),
                ExceptionType = I % 5 == 0 ? "System.Exception" : null,
                ExceptionMessage = I % 5 == 0 ? "boom " + I : null,
                OffsetMinutes = (short)(I % 7 * 60),
                PropertyCount = 4,
            });
            writer.WritePropertyName("I");
            writer.WriteInt32(I);
            writer.WritePropertyName("Name");
            writer.WriteString(new string((char)('a' + I % 26), I % 40));
            writer.WritePropertyName("Items");
            writer.BeginSequence(3);
            writer.WriteDouble(I / 3.0);
            writer.WriteGuid(new Guid(I, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
            writer.BeginStructure("Point", 2);
            writer.WritePropertyName("X");
            writer.WriteInt64(-I);
            writer.WritePropertyName("Y");
            writer.WriteDecimal(I * 1.25m);
            writer.WritePropertyName("Map");
            writer.BeginDictionary(1);
            writer.WriteString("k" + I);
            writer.WriteBytes(new byte[] { (byte)I, 0, 255 });
        }
    }

    private static Originals Build()
    {
        using var log = new TestLog();
        var originals = new Originals();
        string path;
        using (var writer = new MmapLogWriter(log.Options(64 * 1024)))
        {
            for (int i = 0; i < 250; i++)
            {
                var e = new RichEvent { I = i };
                Assert.True(writer.Append(TestSupport.Ticks(2026, 11, 21, 10) + i * TimeSpan.TicksPerMillisecond, (MmapLevel)(i % 6), ref e));
            }
            path = writer.CurrentSegmentPath!;
            originals.Crashed = TestSupport.ReadShared(path);
        }
        Assert.Single(log.SegmentFiles());
        originals.Sealed = File.ReadAllBytes(path);
        foreach (MmapEvent e in new MmapLogReader(path).ReadEvents())
        {
            originals.Events.Add(e.Sequence, TestSupport.Fingerprint(e));
        }
        Assert.Equal(250, originals.Events.Count);
        return originals;
    }

    private static IEnumerable<(string Name, byte[] Bytes)> Mutants(Originals o)
    {
        var random = new Random(Seed);
        byte[][] bases = { o.Sealed, o.Crashed };
        byte[] Pick() => (byte[])bases[random.Next(bases.Length)].Clone();

        for (int i = 0; i < 40; i++)
        {
            byte[] b = Pick();
            int length = random.Next(b.Length + 1);
            yield return ($"truncated to {length} of {b.Length}", b.AsSpan(0, length).ToArray());
        }
        for (int i = 0; i < 100; i++)
        {
            byte[] b = Pick();
            int flips = 1 + random.Next(8);
            var where = new List<int>();
            for (int f = 0; f < flips; f++)
            {
                // Mostly where the records are; sometimes anywhere, the header included.
                int at = random.Next(4) == 0 ? random.Next(b.Length) : random.Next(FormatConstants.HeaderSize, Math.Min(b.Length, o.Sealed.Length));
                b[at] ^= (byte)(1 << random.Next(8));
                where.Add(at);
            }
            yield return ($"{b.Length} bytes, bits flipped at {string.Join(",", where)}", b);
        }
        for (int i = 0; i < 30; i++)
        {
            byte[] b = Pick();
            int pages = (b.Length + 4095) / 4096;
            int page = random.Next(pages);
            b.AsSpan(page * 4096, Math.Min(4096, b.Length - page * 4096)).Clear();
            yield return ($"{b.Length} bytes, page {page} zeroed", b);
        }
        uint[] hostileLengths = { 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 16 * 1024 * 1024 + 1, 16 * 1024 * 1024, 1 << 20, 27, 28, 29, 0 };
        for (int i = 0; i < 50; i++)
        {
            byte[] b = Pick();
            List<int> frames = TestSupport.FrameOffsets(b);
            int at = frames[random.Next(frames.Count)];
            uint length = random.Next(3) == 0 ? (uint)(TestSupport.FrameLength(b, at) + random.Next(-9, 64)) : hostileLengths[random.Next(hostileLengths.Length)];
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), length);
            yield return ($"{b.Length} bytes, length word at {at} set to {length:X}", b);
        }
        for (int i = 0; i < 25; i++)
        {
            byte[] b = new byte[random.Next(100_000)];
            random.NextBytes(b);
            yield return ($"{b.Length} random bytes", b);
        }
        for (int i = 0; i < 25; i++)
        {
            byte[] b = new byte[FormatConstants.HeaderSize + random.Next(70_000)];
            random.NextBytes(b);
            o.Sealed.AsSpan(0, FormatConstants.HeaderSize).CopyTo(b);
            if (i % 2 == 0)
            {
                // Garbage that looks like frames: plausible length words every 8 bytes.
                for (int at = FormatConstants.HeaderSize; at + 4 <= b.Length; at += 8)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), (uint)random.Next(0, 200));
                }
            }
            yield return ($"valid header and {b.Length - FormatConstants.HeaderSize} bytes of garbage", b);
        }
        for (int i = 0; i < 30; i++)
        {
            // Records spliced from elsewhere in the segment: valid frames out of order.
            byte[] b = Pick();
            int length = random.Next(8, 2048) & ~7;
            int from = FormatConstants.HeaderSize + (random.Next(o.Sealed.Length - FormatConstants.HeaderSize - length) & ~7);
            int to = FormatConstants.HeaderSize + (random.Next(o.Sealed.Length - FormatConstants.HeaderSize - length) & ~7);
            Array.Copy(b, from, b, to, length);
            yield return ($"{b.Length} bytes, {length} bytes copied from {from} to {to}", b);
        }
    }

    /// <summary>Checks one file; returns how many events it yielded, or -1 when it was refused as a whole.</summary>
    private static int CheckReader(string path, Originals originals, string name)
    {
        try
        {
            var reader = new MmapLogReader(path);
            int yielded = 0;
            foreach (MmapRecord record in reader.ReadRecords())
            {
                if (record.Event is { } e)
                {
                    Assert.True(originals.Events.TryGetValue(e.Sequence, out string? expected), $"{name}: yielded sequence {e.Sequence}, never written");
                    Assert.True(expected == TestSupport.Fingerprint(e), $"{name}: event {e.Sequence} differs from the one written");
                    yielded++;
                }
            }
            ValidationReport report = reader.Validate();
            Assert.All(report.Segments, s => Assert.True(s.Events <= originals.Events.Count, $"{name}: more events than written"));
            Assert.Equal(yielded, report.Segments.Sum(s => s.Events));
            return yielded;
        }
        catch (MmapFormatException)
        {
            // The one exception hostile input may cause.
            return -1;
        }
    }

    private static void RunBounded(string name, Action action)
    {
        Task task = Task.Run(action);
        if (!task.Wait(PerMutantTimeout))
        {
            Assert.Fail($"{name}: did not finish within {PerMutantTimeout.TotalSeconds} s");
        }
        if (task.Exception is { } ex)
        {
            Assert.Fail($"{name}: threw {ex.InnerException}");
        }
    }

    [Fact]
    public void Reading_and_validating_hundreds_of_damaged_segments_finishes_throws_only_format_errors_and_yields_only_written_events()
    {
        Originals originals = Build();
        using var log = new TestLog();
        string path = Path.Combine(log.Directory, "app-000001.mlog");
        int count = 0, partial = 0, nothing = 0;
        foreach ((string name, byte[] bytes) in Mutants(originals))
        {
            File.WriteAllBytes(path, bytes);
            int yielded = 0;
            RunBounded(name, () => yielded = CheckReader(path, originals, name));
            count++;
            if (yielded > 0 && yielded < originals.Events.Count) partial++;
            if (yielded <= 0) nothing++;
        }
        Assert.Equal(300, count);
        // The mutants really damage: many lose some events but keep the rest, some keep nothing.
        Assert.True(partial >= 100, $"only {partial} mutants were partly readable");
        Assert.True(nothing >= 50, $"only {nothing} mutants were wholly unreadable");
    }

    [Fact]
    public void Recovering_damaged_crashed_segments_finishes_and_leaves_only_written_events_readable()
    {
        Originals originals = Build();
        int count = 0;
        foreach ((string name, byte[] bytes) in Mutants(originals).Where((_, i) => i % 3 == 0))
        {
            using var log = new TestLog();
            var naming = new SegmentNaming(log.Path_);
            string path = naming.PathFor(1);
            File.WriteAllBytes(path, bytes);
            RunBounded(name, () =>
            {
                RecoveryReport report = SegmentRecovery.Recover(naming, TestSupport.Ticks(2026, 11, 22));
                Assert.True(report.NextSequence >= 1);
                if (File.Exists(path))
                {
                    CheckReader(path, originals, "recovered " + name);
                }
            });
            count++;
        }
        Assert.Equal(100, count);
    }
}
