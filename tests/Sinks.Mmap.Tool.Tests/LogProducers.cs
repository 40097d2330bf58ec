using System;
using System.Collections.Generic;
using System.Linq;
using Serilog;
using Serilog.Events;
using Serilog.Parsing;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>One event the tests write and expect back, whatever wrote it.</summary>
internal sealed record ExpectedEvent(DateTimeOffset Timestamp, MmapLevel Level, string Template, IReadOnlyList<KeyValuePair<string, object>> Properties, string? ExceptionMessage)
{
    public object Property(string name) => Properties.First(p => p.Key == name).Value;
}

/// <summary>
/// Something that writes a log: the core writer, the Serilog sink, and (later, from the NLog branch)
/// the NLog target. Every producer writes the same logical events, so every tool test runs on each
/// producer: adding NLog is one more class here and one more line in <see cref="All"/>.
/// </summary>
internal abstract class LogProducer
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public abstract string Name { get; }

    /// <summary>The logger name the producer records (NLog does; it reads back as SourceContext), or null.</summary>
    public virtual string? LoggerName => null;

    /// <summary>Writes <paramref name="count"/> events to <paramref name="logPath"/> and closes the log.</summary>
    public abstract IReadOnlyList<ExpectedEvent> Write(string logPath, int count, long segmentSize = 64 * 1024);

    public override string ToString() => Name;

    /// <summary>The events, the same for every producer: levels cycle, every 4th event is another template, every 10th has an exception.</summary>
    public static IReadOnlyList<ExpectedEvent> Expected(int count)
    {
        var list = new List<ExpectedEvent>(count);
        for (int i = 0; i < count; i++)
        {
            DateTimeOffset ts = Start.AddSeconds(i);
            var level = (MmapLevel)(i % 6);
            string? exception = i % 10 == 9 ? "boom " + i : null;
            if (i % 4 == 3)
            {
                list.Add(new ExpectedEvent(ts, level, "Cache miss for {Key}", new[] { Kv("Key", "key-" + i) }, exception));
            }
            else
            {
                list.Add(new ExpectedEvent(ts, level, "Order {OrderId} from {Customer} took {Elapsed:F1} ms",
                    new[] { Kv("OrderId", i), Kv("Customer", "customer-" + (i % 7)), Kv("Elapsed", i * 0.5) }, exception));
            }
        }
        return list;
    }

    private static KeyValuePair<string, object> Kv(string name, object value) => new(name, value);

    public static IEnumerable<object[]> All() => new[]
    {
        new object[] { new CoreProducer() },
        new object[] { new SerilogProducer() },
        new object[] { new NLogProducer() },
    };
}

/// <summary>Writes through <see cref="MmapLogWriter"/> directly.</summary>
internal sealed class CoreProducer : LogProducer
{
    public override string Name => "core";

    public override IReadOnlyList<ExpectedEvent> Write(string logPath, int count, long segmentSize = 64 * 1024)
    {
        IReadOnlyList<ExpectedEvent> events = Expected(count);
        using var writer = new MmapLogWriter(new MmapLogOptions { Path = logPath, SegmentSizeBytes = segmentSize, RetainedFileCountLimit = null });
        foreach (ExpectedEvent e in events)
        {
            var payload = new ExpectedPayload(e);
            if (!writer.Append(e.Timestamp.UtcTicks, e.Level, ref payload)) throw new InvalidOperationException("the writer dropped an event");
        }
        return events;
    }

    private readonly struct ExpectedPayload : IEventPayload
    {
        private readonly ExpectedEvent _event;

        public ExpectedPayload(ExpectedEvent e) => _event = e;

        public void Write(ref EventWriter writer)
        {
            var header = new EventHeader { MessageTemplate = _event.Template, PropertyCount = _event.Properties.Count };
            if (_event.ExceptionMessage is { } message)
            {
                header.ExceptionType = "System.InvalidOperationException";
                header.ExceptionMessage = message;
                header.ExceptionText = "System.InvalidOperationException: " + message;
            }
            writer.WriteHeader(header);
            foreach (KeyValuePair<string, object> p in _event.Properties)
            {
                writer.WritePropertyName(p.Key);
                switch (p.Value)
                {
                    case int i: writer.WriteInt32(i); break;
                    case double d: writer.WriteDouble(d); break;
                    case string s: writer.WriteString(s); break;
                    default: throw new NotSupportedException(p.Value.GetType().Name);
                }
            }
        }
    }
}

/// <summary>Writes through Serilog and <c>WriteTo.Mmap</c>.</summary>
internal sealed class SerilogProducer : LogProducer
{
    public override string Name => "serilog";

    public override IReadOnlyList<ExpectedEvent> Write(string logPath, int count, long segmentSize = 64 * 1024)
    {
        IReadOnlyList<ExpectedEvent> events = Expected(count);
        var parser = new MessageTemplateParser();
        using (Serilog.Core.Logger logger = new LoggerConfiguration().MinimumLevel.Verbose()
                   .WriteTo.Mmap(logPath, fileSizeLimitBytes: segmentSize, retainedFileCountLimit: null).CreateLogger())
        {
            foreach (ExpectedEvent e in events)
            {
                var properties = e.Properties.Select(p => new LogEventProperty(p.Key, new ScalarValue(p.Value)));
                Exception? exception = e.ExceptionMessage is { } m ? new InvalidOperationException(m) : null;
                logger.Write(new LogEvent(e.Timestamp, (LogEventLevel)(int)e.Level, exception, parser.Parse(e.Template), properties));
            }
        }
        return events;
    }
}

/// <summary>Writes through NLog and the <c>Mmap</c> target, with the template's parameters as NLog passes them.</summary>
internal sealed class NLogProducer : LogProducer
{
    public override string Name => "nlog";

    public override string? LoggerName => "Tool.Tests";

    public override IReadOnlyList<ExpectedEvent> Write(string logPath, int count, long segmentSize = 64 * 1024)
    {
        IReadOnlyList<ExpectedEvent> events = Expected(count);
        var factory = new NLog.LogFactory();
        var target = new NLog.Targets.Mmap.MmapTarget("mmap") { FileName = logPath, ArchiveAboveSize = segmentSize, MaxArchiveFiles = -1 };
        var config = new NLog.Config.LoggingConfiguration(factory);
        config.AddRuleForAllLevels(target);
        factory.Configuration = config;
        NLog.Logger logger = factory.GetLogger("Tool.Tests");
        foreach (ExpectedEvent e in events)
        {
            object[] parameters = e.Properties.Select(p => p.Value).ToArray();
            var info = new NLog.LogEventInfo(NLog.LogLevel.FromOrdinal((int)e.Level), logger.Name, null, e.Template, parameters)
            {
                TimeStamp = e.Timestamp.UtcDateTime,
                Exception = e.ExceptionMessage is { } m ? new InvalidOperationException(m) : null,
            };
            logger.Log(info);
        }
        factory.Shutdown();
        if (target.DroppedEvents != 0) throw new InvalidOperationException("the target dropped events");
        return events;
    }
}
