using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Mmap.Reading;
using Sinks.Mmap;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Reading;

/// <summary>Shipping a local log into other Serilog sinks and loggers, all at once or from a saved position.</summary>
public class ReplayTests
{
    private static void WriteOrders(string path, int first, int count)
    {
        using Logger logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Mmap(path).CreateLogger();
        for (int i = first; i < first + count; i++)
        {
            logger.Write(i % 5 == 0 ? LogEventLevel.Warning : LogEventLevel.Information, "Order {OrderId} for {Customer}", i, "c" + i);
        }
    }

    private static int OrderId(LogEvent e) => (int)((ScalarValue)e.Properties["OrderId"]).Value!;

    [Fact]
    public void Replay_into_a_sink_delivers_every_event_in_order_and_returns_the_position_of_the_last()
    {
        using var log = new TempFolder();
        WriteOrders(log.LogPath, 1, 20);
        var sink = new CollectingSink();

        LogPosition? position = MmapLogReplay.Replay(log.LogPath, sink);

        Assert.Equal(Enumerable.Range(1, 20), sink.Events.Select(OrderId));
        Assert.Equal("Order {OrderId} for {Customer}", sink.Events[0].MessageTemplate.Text);
        Assert.Equal("\"c7\"", sink.Events[6].Properties["Customer"].ToString());
        Assert.NotNull(position);
    }

    [Fact]
    public void Replay_from_a_saved_position_delivers_only_what_was_written_after_it_even_across_writer_restarts()
    {
        using var log = new TempFolder();
        WriteOrders(log.LogPath, 1, 10);
        LogPosition? saved = MmapLogReplay.Replay(log.LogPath, new CollectingSink());
        string persisted = saved!.Value.ToString();

        WriteOrders(log.LogPath, 11, 5);   // a new writer: a new segment
        var sink = new CollectingSink();
        LogPosition? next = MmapLogReplay.Replay(log.LogPath, sink, LogPosition.Parse(persisted));

        Assert.Equal(Enumerable.Range(11, 5), sink.Events.Select(OrderId));
        var nothingNew = new CollectingSink();
        Assert.Equal(next, MmapLogReplay.Replay(log.LogPath, nothingNew, next));
        Assert.Empty(nothingNew.Events);
    }

    [Fact]
    public void Replay_through_a_logger_applies_its_level_filter_and_enrichers()
    {
        using var log = new TempFolder();
        WriteOrders(log.LogPath, 1, 20);
        var sink = new CollectingSink();
        using (Logger central = new LoggerConfiguration()
            .MinimumLevel.Warning()
            .Enrich.WithProperty("Shipped", true)
            .WriteTo.Sink(sink)
            .CreateLogger())
        {
            MmapLogReplay.Replay(log.LogPath, central);
        }

        Assert.Equal(new[] { 5, 10, 15, 20 }, sink.Events.Select(OrderId));
        Assert.All(sink.Events, e => Assert.Equal("True", e.Properties["Shipped"].ToString()));
    }

    [Fact]
    public async Task FollowAsync_delivers_events_committed_after_it_started_reports_their_positions_and_ends_quietly_when_cancelled()
    {
        using var log = new TempFolder();
        WriteOrders(log.LogPath, 1, 3);
        var sink = new CollectingSink();
        var positions = new List<LogPosition>();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        Task follow = MmapLogReplay.FollowAsync(log.LogPath, sink, onPosition: p => { lock (positions) positions.Add(p); }, cancellationToken: cancel.Token);
        WriteOrders(log.LogPath, 4, 3);
        while (sink.Count < 6 && !cancel.IsCancellationRequested)
        {
            await Task.Delay(20);
        }
        cancel.Cancel();
        await follow;   // cancelling ends the follow quietly

        Assert.Equal(Enumerable.Range(1, 6), sink.Snapshot().Select(OrderId));
        lock (positions) Assert.Equal(6, positions.Count);
    }

    private sealed class CollectingSink : ILogEventSink
    {
        private readonly List<LogEvent> _events = new();

        public List<LogEvent> Events { get { lock (_events) return _events.ToList(); } }

        public int Count { get { lock (_events) return _events.Count; } }

        public List<LogEvent> Snapshot() => Events;

        public void Emit(LogEvent logEvent)
        {
            lock (_events) _events.Add(logEvent);
        }
    }
}
