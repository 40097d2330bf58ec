using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Sinks.Mmap.Core.Tests.Crash;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Faults;

public class StreamFallbackTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static List<MmapLogError> WriteLog(string path, bool forceFallback)
    {
        var errors = new List<MmapLogError>();
        var options = new MmapLogOptions
        {
            Path = path,
            SegmentSizeBytes = 8 * 1024,
            RetainedFileCountLimit = null,
            TimeProvider = new FakeTimeProvider(Now),
            ForceStreamFallback = forceFallback,
            OnError = e => { lock (errors) errors.Add(e); },
        };
        using var writer = new MmapLogWriter(options);
        for (int i = 0; i < 600; i++)
        {
            // New templates now and then, so every segment has definitions of its own.
            var e = new SimpleEvent("Event {Number} said {Text} after {Elapsed} ms " + (i / 50), i, "text " + i, i * 0.5);
            Assert.True(writer.Append(Now.UtcTicks + i, MmapLevel.Information, ref e));
        }
        return errors;
    }

    [Fact]
    public void Without_memory_mapping_the_writer_reports_it_once_and_writes_the_same_bytes_as_with_it()
    {
        using var mapped = new TestLog();
        using var streamed = new TestLog();
        List<MmapLogError> mappedErrors = WriteLog(mapped.Path_, forceFallback: false);
        List<MmapLogError> streamedErrors = WriteLog(streamed.Path_, forceFallback: true);

        Assert.Empty(mappedErrors);
        MmapLogError fallback = Assert.Single(streamedErrors);
        Assert.Equal(MmapLogErrorKind.MappingUnavailable, fallback.Kind);
        Assert.Contains("positional writes", fallback.Message);

        // Events round-trip through the fallback.
        LogContents.AssertNotCorrupt(new MmapLogReader(streamed.Path_).Validate());
        List<MmapEvent> events = new MmapLogReader(streamed.Path_).ReadEvents().ToList();
        Assert.Equal(600, events.Count);
        for (int i = 0; i < events.Count; i++)
        {
            Assert.Equal(Now.UtcTicks + i, events[i].Timestamp.UtcTicks);
            Assert.True(events[i].TryGetProperty("Text", out LogValue text));
            Assert.Equal("text " + i, ((LogScalar)text).Value);
        }

        // Byte for byte the same files: same names, same lengths, same contents (same process, so even the header's pid).
        string[] names = mapped.SegmentFiles().Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray()!;
        Assert.True(names.Length > 3, "the test should rotate through several segments");
        Assert.Equal(names, streamed.SegmentFiles().Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray());
        foreach (string name in names)
        {
            byte[] a = File.ReadAllBytes(Path.Combine(mapped.Directory, name));
            byte[] b = File.ReadAllBytes(Path.Combine(streamed.Directory, name));
            Assert.True(a.Length == b.Length, $"{name}: {a.Length} bytes mapped, {b.Length} bytes streamed");
            int diff = a.AsSpan().CommonPrefixLength(b);
            Assert.True(diff == a.Length, $"{name}: first difference at byte {diff}");
        }
    }
}
