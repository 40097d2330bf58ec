using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Core.Tests.Faults;

/// <summary>
/// A log folder others can write to: names planted where the writer will look (a link to someone
/// else's file, a FIFO, a folder) must never be followed, never hang the writer and never stop it
/// logging. Real links, FIFOs and folders.
/// </summary>
public class PlantedNameTests
{
    private static readonly long T0 = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc).Ticks;
    private readonly ITestOutputHelper _output;

    public PlantedNameTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void A_lock_file_planted_as_a_symbolic_link_is_never_followed_and_the_writer_logs_in_the_next_lane()
    {
        using var log = new TestLog();
        string victim = Path.Combine(log.Directory, "precious.txt");
        File.WriteAllText(victim, "precious data");
        File.CreateSymbolicLink(Path.Combine(log.Directory, "app.mlog.lock"), victim);

        int lane = LogTen(log);

        Assert.Equal("precious data", File.ReadAllText(victim));
        Assert.Equal(2, lane);
        AssertReportedOnce(log, "app.mlog.lock", "symbolic link");
        Assert.Equal(10, ReadAll(log).Count);
    }

    [Fact]
    public void A_lock_file_planted_as_a_hard_link_to_another_file_is_left_alone()
    {
        using var log = new TestLog();
        string victim = Path.Combine(log.Directory, "precious.txt");
        File.WriteAllText(victim, "precious data");
        Assert.Equal(0, Native.link(victim, Path.Combine(log.Directory, "app.mlog.lock")));

        int lane = LogTen(log);

        Assert.Equal("precious data", File.ReadAllText(victim));
        Assert.Equal(2, lane);
        AssertReportedOnce(log, "app.mlog.lock", "hard link");
    }

    [Theory]
    [InlineData("fifo")]
    [InlineData("folder")]
    public void A_lock_file_planted_as_a_fifo_or_a_folder_neither_hangs_nor_throws_and_logging_goes_on(string kind)
    {
        using var log = new TestLog();
        Plant(Path.Combine(log.Directory, "app.mlog.lock"), kind);

        int lane = LogTen(log);

        Assert.Equal(2, lane);
        AssertReportedOnce(log, "app.mlog.lock", kind == "fifo" ? "FIFO" : "directory");
        Assert.Equal(10, ReadAll(log).Count);
    }

    [Fact]
    public void Names_planted_where_the_next_segments_go_are_stepped_past_and_every_event_is_written()
    {
        using var log = new TestLog();
        string victim = Path.Combine(log.Directory, "precious.txt");
        File.WriteAllText(victim, "precious data");
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        int written = 0;
        Bounded.Run(() =>
        {
            using var writer = new MmapLogWriter(options);
            // The writer has opened segment 1 and prepares 2 at once: plant where the rotations after that go.
            Plant(Path.Combine(log.Directory, "app-000003.mlog"), "fifo");
            Plant(Path.Combine(log.Directory, "app-000004.mlog"), "folder");
            File.CreateSymbolicLink(Path.Combine(log.Directory, "app-000005.mlog"), victim);
            for (short i = 0; i < 500; i++)
            {
                var e = new FixedSizeEvent(i);
                if (writer.Append(T0 + i, MmapLevel.Information, ref e)) written++;
            }
        }, TimeSpan.FromSeconds(30), "the writer hung on a planted name");

        Assert.Equal(500, written);
        Assert.Equal("precious data", File.ReadAllText(victim));
        Assert.True(Directory.Exists(Path.Combine(log.Directory, "app-000004.mlog")));
        foreach (MmapLogError e in log.Errors) _output.WriteLine($"{e.Kind}: {e}");
        foreach (string name in new[] { "app-000003.mlog", "app-000004.mlog", "app-000005.mlog" })
        {
            Assert.Single(log.Errors, e => e.Message.Contains(name) && e.Message.Contains("taken"));
        }
        List<short> values = ReadAll(log).Select(e => (short)((LogScalar)e.Properties[0].Value).Value!).ToList();
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (short)i), values);
    }

    [Fact]
    public void Recovery_never_follows_a_symbolic_link_named_like_a_segment_and_leaves_the_file_it_points_to_alone()
    {
        using var log = new TestLog();
        // A real unsealed segment, as a crash leaves one, at full size: repairing it would cut and seal it.
        string elsewhere = Path.Combine(log.Directory, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        string victim = Path.Combine(elsewhere, "victim.mlog");
        using (var other = new TestLog())
        {
            using var writer = new MmapLogWriter(other.Options(16 * 1024));
            for (short i = 0; i < 20; i++)
            {
                var e = new FixedSizeEvent(i);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
            File.Copy(writer.CurrentSegmentPath!, victim);
        }
        byte[] before = File.ReadAllBytes(victim);
        File.CreateSymbolicLink(Path.Combine(log.Directory, "app-000001.mlog"), victim);

        using (var writer = new MmapLogWriter(log.Options()))
        {
            Assert.True(writer.IsWriting);
            Assert.Empty(writer.Recovery!.Repaired);
            Assert.Contains(writer.Recovery.Problems, p => p.Contains("app-000001.mlog") && p.Contains("symbolic link"));
        }
        Assert.Equal(before, File.ReadAllBytes(victim));
    }

    /// <summary>Opens a writer (on another thread, so a hang fails the test instead of stalling it), logs ten events, returns its lane.</summary>
    private static int LogTen(TestLog log)
    {
        int lane = 0;
        Bounded.Run(() =>
        {
            using var writer = new MmapLogWriter(log.Options());
            Assert.True(writer.IsWriting);
            lane = writer.Lane;
            for (short i = 0; i < 10; i++)
            {
                var e = new FixedSizeEvent(i);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
        }, TimeSpan.FromSeconds(30), "the writer hung on a planted name");
        return lane;
    }

    private static void AssertReportedOnce(TestLog log, string name, string what)
    {
        MmapLogError error = Assert.Single(log.Errors, e => e.Message.Contains(name));
        Assert.Equal(MmapLogErrorKind.Io, error.Kind);
        Assert.Contains(what, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static List<MmapEvent> ReadAll(TestLog log) => new MmapLogReader(log.Directory).ReadEvents().ToList();

    internal static void Plant(string path, string kind)
    {
        if (kind == "fifo") Assert.Equal(0, Native.mkfifo(path, 0x1B6 /* 0666 */));
        else Directory.CreateDirectory(path);
    }

    internal static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);

        [DllImport("libc", SetLastError = true)]
        public static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);
    }
}
