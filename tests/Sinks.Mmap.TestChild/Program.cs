using System;
using System.Globalization;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Threading;

namespace Sinks.Mmap.TestChild;

/// <summary>
/// A real process for crash tests. The parent starts it, lets it log, and SIGKILLs it.
/// <code>
/// dotnet Sinks.Mmap.TestChild.dll &lt;log path&gt; &lt;threads 1-4&gt; &lt;segment bytes&gt; &lt;mode&gt; &lt;ack file&gt; &lt;round&gt; [count]
/// </code>
/// (or <c>read &lt;log path&gt;</c>: see <see cref="ReadMode"/>.)
/// Modes: <c>log</c> logs as fast as it can until killed; <c>paced</c> logs with a 1 ms pause every
/// 16 events a thread; <c>write</c> logs <c>count</c> events a thread, disposes the writer and exits 0.
/// <c>huge</c> and <c>far-future</c> first log one hostile event (one that refers to a 64 MiB string 40
/// times, 2.5 GiB in all; one stamped a tick before <see cref="DateTime.MaxValue"/>, with daily
/// rolling), printing <c>hostile appended=…</c> (or <c>hostile threw …</c>), then go on as <c>write</c>
/// with a 1 ms pause every 16 events, so that the writer's maintainer runs meanwhile. <c>compress</c> logs
/// with a 1 ms pause every 32 events a thread, with sealed segments compressed in the background: slower
/// than a writer that compression waits for (<c>CompressionPacer</c>), so compression runs all along and
/// a kill lands during compressions. <c>exceptions</c> logs like <c>paced</c>, each event with an exception
/// text (interned since format 1.3): one of five texts shared by most events, and every 97th event one of its
/// own. Each text says what it is: its first line names the event's thread and counter (or the shared text's
/// number) and the text's length, so a reader can check it whole without knowing how it was made.
/// Every event carries the properties Round, Thread and Counter. A thread's counter only moves on
/// once Append returned true (a dropped event is retried with the same counter), and only then is
/// the counter stored in that thread's slot of the ack file: every counter up to the slot's value
/// was acknowledged by the writer before the store.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "read")
        {
            return ReadMode.Run(args[1]);
        }
        if (args.Length < 6)
        {
            Console.Error.WriteLine("usage: <log path> <threads> <segment bytes> <log|paced|blocks|write> <ack file> <round> [count]");
            return 2;
        }
        string path = args[0];
        int threads = int.Parse(args[1], CultureInfo.InvariantCulture);
        long segmentSize = long.Parse(args[2], CultureInfo.InvariantCulture);
        string mode = args[3];
        string ackPath = args[4];
        int round = int.Parse(args[5], CultureInfo.InvariantCulture);
        long count = args.Length > 6 ? long.Parse(args[6], CultureInfo.InvariantCulture) : long.MaxValue;
        if (threads is < 1 or > AckFile.MaxThreads)
        {
            Console.Error.WriteLine($"threads must be 1 to {AckFile.MaxThreads}");
            return 2;
        }

        using var ack = new AckFile(ackPath);
        ack.Write(AckFile.PidOffset, Environment.ProcessId);
        ack.Write(AckFile.StateOffset, AckFile.StateOpening);
        bool hostile = mode is "huge" or "far-future";
        var options = new MmapLogOptions
        {
            Path = path,
            SegmentSizeBytes = segmentSize,
            RollingInterval = mode == "far-future" ? SegmentInterval.Day : SegmentInterval.Infinite,
            RetainedFileCountLimit = null,
            RetryInterval = TimeSpan.FromMilliseconds(50),
            CompressSealedSegments = mode == "compress",
            // Every thread writes in claim blocks from its first record: the crash leaves open blocks behind.
            ClaimBlocksAlways = mode == "blocks",
            OnError = e =>
            {
                lock (Console.Out)
                {
                    Console.Out.WriteLine($"error {e.Kind}: {e}");
                    Console.Out.Flush();
                }
            },
        };
        var writer = new MmapLogWriter(options);
        ack.Write(AckFile.StateOffset, AckFile.StateLogging);
        if (hostile)
        {
            AppendHostile(writer, mode);
        }

        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int thread = t;
            int pauseEvery = mode is "paced" or "exceptions" || hostile ? 16 : mode == "compress" ? 32 : 0;
            bool exceptions = mode == "exceptions";
            workers[t] = new Thread(() => Log(writer, ack, round, thread, count, pauseEvery, exceptions)) { Name = "logger " + t };
            workers[t].Start();
        }
        foreach (Thread worker in workers)
        {
            worker.Join();
        }
        writer.Dispose();
        ack.Write(AckFile.DroppedOffset, writer.DroppedEvents);
        ack.Write(AckFile.StateOffset, AckFile.StateDone);
        Console.Out.WriteLine($"done dropped={writer.DroppedEvents}");
        Console.Out.Flush();
        return 0;
    }

    /// <summary>Logs the mode's hostile event the way an application would: an exception here is the writer's failure, not the child's.</summary>
    /// <summary><c>Failure &lt;what&gt; length &lt;n&gt;</c>, then stack-like lines, <c>n</c> characters in all.</summary>
    private static string SelfDescribingText(string what, int extra)
    {
        var text = new System.Text.StringBuilder("Failure " + what + " length ");
        int frames = extra / 40 + 1;
        var body = new System.Text.StringBuilder();
        for (int i = 0; i < frames; i++) body.Append("\n   at Shop.Orders.Step").Append(i.ToString("D4", CultureInfo.InvariantCulture)).Append("() in Orders.cs");
        int length = text.Length + 6 + body.Length;
        return text.Append(length.ToString("D6", CultureInfo.InvariantCulture)).Append(body).ToString();
    }

    private static void AppendHostile(MmapLogWriter writer, string mode)
    {
        bool appended;
        try
        {
            if (mode == "huge")
            {
                var huge = new HugeEvent(new string('x', 64 << 20), 40);
                appended = writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref huge);
            }
            else
            {
                var farFuture = new CounterEvent(-1, -1, -1);
                appended = writer.Append(DateTime.MaxValue.Ticks - 1, MmapLevel.Information, ref farFuture);
            }
        }
        catch (Exception ex)
        {
            Console.Out.WriteLine($"hostile threw {ex.GetType().Name}: {ex.Message}");
            Console.Out.Flush();
            return;
        }
        Console.Out.WriteLine($"hostile appended={appended}");
        Console.Out.Flush();
    }

    private static void Log(MmapLogWriter writer, AckFile ack, int round, int thread, long count, int pauseEvery, bool exceptions)
    {
        long counter = 1;
        long attempts = 0;
        string[] shared = new string[5];
        for (int i = 0; i < shared.Length; i++) shared[i] = SelfDescribingText("shared " + i.ToString(CultureInfo.InvariantCulture), 400 + 300 * i);
        while (counter <= count)
        {
            string? text = !exceptions ? null
                : counter % 97 == 0 ? SelfDescribingText($"own {thread}/{counter}", 200 + (int)(counter % 1000))
                : shared[counter % shared.Length];
            var payload = new CounterEvent(round, thread, counter, text);
            if (writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref payload))
            {
                // Acknowledge only after Append returned true: the event is in the page cache now.
                ack.Write(AckFile.SlotOffset(thread), counter);
                counter++;
            }
            else
            {
                ack.Write(AckFile.DroppedOffset, writer.DroppedEvents);
                Thread.Sleep(1);
            }
            if (pauseEvery > 0 && ++attempts % pauseEvery == 0)
            {
                Thread.Sleep(1);
            }
        }
    }
}

/// <summary>An event whose one property is a sequence of <c>count</c> references to the same string.</summary>
internal readonly struct HugeEvent : IEventPayload
{
    private readonly string _text;
    private readonly int _count;

    public HugeEvent(string text, int count)
    {
        _text = text;
        _count = count;
    }

    public void Write(ref EventWriter writer)
    {
        writer.WriteHeader(new EventHeader { MessageTemplate = "Huge {Texts}", PropertyCount = 1 });
        writer.WritePropertyName("Texts");
        // The return value is ignored on purpose: a careless payload must not hurt the writer either.
        writer.BeginSequence(_count);
        for (int i = 0; i < _count; i++)
        {
            writer.WriteString(_text);
        }
    }
}

/// <summary>The event the child logs: which round, which thread, which counter.</summary>
internal readonly struct CounterEvent : IEventPayload
{
    private readonly int _round;
    private readonly int _thread;
    private readonly long _counter;
    private readonly string? _exceptionText;

    public CounterEvent(int round, int thread, long counter, string? exceptionText = null)
    {
        _round = round;
        _thread = thread;
        _counter = counter;
        _exceptionText = exceptionText;
    }

    public void Write(ref EventWriter writer)
    {
        writer.WriteHeader(new EventHeader
        {
            MessageTemplate = "Round {Round} thread {Thread} event {Counter}",
            PropertyCount = 3,
            ExceptionType = _exceptionText is null ? null : "Shop.OrderException",
            ExceptionMessage = _exceptionText is null ? null : "order failed",
            ExceptionText = _exceptionText,
        });
        writer.WritePropertyName("Round");
        writer.WriteInt32(_round);
        writer.WritePropertyName("Thread");
        writer.WriteInt32(_thread);
        writer.WritePropertyName("Counter");
        writer.WriteInt64(_counter);
    }
}

/// <summary>
/// A small shared-memory file: 8-byte slots for state, pid, drops and each thread's last
/// acknowledged counter. Stores go straight to the page cache, so they survive SIGKILL.
/// The parent reads the same layout (see the tests' Crash/AckFile reader).
/// </summary>
internal sealed unsafe class AckFile : IDisposable
{
    public const int MaxThreads = 4;
    public const int Size = 4096;
    public const int StateOffset = 0;
    public const int PidOffset = 8;
    public const int DroppedOffset = 16;
    public const long StateOpening = 1;
    public const long StateLogging = 2;
    public const long StateDone = 3;

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;

    public AckFile(string path)
    {
        using (var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            if (file.Length < Size) file.SetLength(Size);
        }
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, Size, MemoryMappedFileAccess.ReadWrite);
        _view = _map.CreateViewAccessor(0, Size, MemoryMappedFileAccess.ReadWrite);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    public static int SlotOffset(int thread) => 64 + thread * 8;

    public void Write(int offset, long value) => Volatile.Write(ref *(long*)(_base + offset), value);

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
