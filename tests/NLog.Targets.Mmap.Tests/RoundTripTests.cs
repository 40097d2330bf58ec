using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.Extensions.Logging;
using NLog.Extensions.Logging;
using Sinks.Mmap;
using Sinks.Mmap.Rendering;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

public class RoundTripTests
{
    private static LogFactory Factory(TempLogDir dir) =>
        NLogConfigs.FromXml(new Dictionary<string, string>
        {
            ["fileName"] = dir.LogPath,
            ["archiveAboveSize"] = "1048576",
            ["includeScopeProperties"] = "true",
        });

    private static object? Scalar(MmapEvent e, string name)
    {
        Assert.True(e.TryGetProperty(name, out LogValue value), $"property {name} missing");
        return Assert.IsType<LogScalar>(value).Value;
    }

    [Fact]
    public void A_structured_event_reads_back_with_template_typed_properties_exception_and_trace()
    {
        using var dir = new TempLogDir();
        var factory = Factory(dir);
        using var source = new ActivitySource("nlog-mmap-tests");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "nlog-mmap-tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        ActivityTraceId traceId;
        ActivitySpanId spanId;
        LogEventInfo e;
        var before = DateTimeOffset.Now;
        try
        {
            var logger = factory.GetLogger("Orders.Service");
            var guid = Guid.NewGuid();
            Exception thrown;
            try { throw new InvalidOperationException("boom"); } catch (Exception ex) { thrown = ex; }
            using (var activity = source.StartActivity("op"))
            using (ScopeContext.PushProperty("RequestId", "req-7"))
            {
                Assert.NotNull(activity);
                traceId = activity!.TraceId;
                spanId = activity.SpanId;
                e = LogEventInfo.Create(LogLevel.Error, "Orders.Service", null, "Order {OrderId} for {Customer} cost {Total} at {When} ({Id})",
                    new object[] { 42, "Ann", 12.5m, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), guid });
                e.Exception = thrown;
                e.Properties["Tenant"] = "acme";
                e.Properties["Attempts"] = 3L;
                logger.Log(e);
            }
            factory.Flush();

            var read = Assert.Single(new MmapLogReader(dir.LogPath).ReadEvents());
            Assert.Equal(MmapLevel.Error, read.Level);
            Assert.Equal("Orders.Service", read.LoggerName);
            Assert.Equal("Order {OrderId} for {Customer} cost {Total} at {When} ({Id})", read.MessageTemplate);
            Assert.Equal(e.FormattedMessage, read.RenderedMessage);
            Assert.Equal(42, Scalar(read, "OrderId"));
            Assert.Equal("Ann", Scalar(read, "Customer"));
            Assert.Equal(12.5m, Scalar(read, "Total"));
            Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), Scalar(read, "When"));
            Assert.Equal(guid, Scalar(read, "Id"));
            Assert.Equal("acme", Scalar(read, "Tenant"));
            Assert.Equal(3L, Scalar(read, "Attempts"));
            Assert.Equal("req-7", Scalar(read, "RequestId"));
            // Template parameters come first, each once, even though NLog also lists them among the event properties.
            Assert.Equal(new[] { "OrderId", "Customer", "Total", "When", "Id", "Tenant", "Attempts", "RequestId" }, read.Properties.Select(p => p.Name));
            Assert.NotNull(read.Exception);
            Assert.Equal("System.InvalidOperationException", read.Exception!.TypeName);
            Assert.Equal("boom", read.Exception.Message);
            Assert.Equal(thrown.ToString(), read.Exception.Text);
            Assert.Equal(traceId, read.TraceId);
            Assert.Equal(spanId, read.SpanId);
            Assert.InRange(read.Timestamp, before.AddSeconds(-1), DateTimeOffset.Now.AddSeconds(1));
            Assert.Equal(TimeZoneInfo.Local.GetUtcOffset(read.Timestamp.UtcDateTime), read.Timestamp.Offset);
            Assert.Equal(e.TimeStamp.ToUniversalTime(), read.Timestamp.UtcDateTime);

            // The neutral renderer reproduces the message from the template and typed properties.
            string text = new OutputTemplateFormatter("{Message:lj}").Format(read);
            Assert.StartsWith("Order 42 for Ann cost 12.5 at ", text, StringComparison.Ordinal);
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Fact]
    public void Every_level_maps_to_its_neutral_level()
    {
        using var dir = new TempLogDir();
        var factory = Factory(dir);
        try
        {
            var logger = factory.GetLogger("L");
            logger.Trace("t"); logger.Debug("d"); logger.Info("i"); logger.Warn("w"); logger.Error("e"); logger.Fatal("f");
            var levels = new MmapLogReader(dir.LogPath).ReadEvents().Select(e => e.Level).ToArray();
            Assert.Equal(new[] { MmapLevel.Verbose, MmapLevel.Debug, MmapLevel.Information, MmapLevel.Warning, MmapLevel.Error, MmapLevel.Fatal }, levels);
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Fact]
    public void An_event_at_Off_or_without_a_level_is_written_as_Fatal()
    {
        // NLog never routes such an event to a target, but a LogEventInfo can be built by hand with either.
        Assert.Equal(MmapLevel.Fatal, NLog.Targets.Mmap.Translation.LevelMap.ForEvent(LogLevel.Off));
        Assert.Equal(MmapLevel.Fatal, NLog.Targets.Mmap.Translation.LevelMap.ForEvent(null));
        Assert.Equal(MmapLevel.Verbose, NLog.Targets.Mmap.Translation.LevelMap.ForEvent(LogLevel.Trace));
        Assert.Equal(MmapLevel.Error, NLog.Targets.Mmap.Translation.LevelMap.ForEvent(LogLevel.Error));
    }

    [Fact]
    public void A_plain_message_has_no_template_and_keeps_its_text()
    {
        using var dir = new TempLogDir();
        var factory = Factory(dir);
        try
        {
            factory.GetLogger("P").Info("No {holes} here");
            var read = Assert.Single(new MmapLogReader(dir.LogPath).ReadEvents());
            Assert.Null(read.MessageTemplate);
            Assert.Empty(read.Properties);
            Assert.Equal("No {holes} here", read.RenderedMessage);
            Assert.Equal("No {holes} here", MmapEventRenderer.RenderMessage(read));
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Fact]
    public void Positional_parameters_become_numbered_properties()
    {
        using var dir = new TempLogDir();
        var factory = Factory(dir);
        try
        {
            factory.GetLogger("P").Info("{1} before {0}", "b", "a");
            var read = Assert.Single(new MmapLogReader(dir.LogPath).ReadEvents());
            Assert.Equal("{1} before {0}", read.MessageTemplate);
            Assert.Equal("a before b", read.RenderedMessage);
            Assert.Equal("a", Scalar(read, "1"));
            Assert.Equal("b", Scalar(read, "0"));
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Fact]
    public void Template_parameters_come_first_and_a_scope_or_event_property_of_the_same_name_is_not_stored_again()
    {
        using var dir = new TempLogDir();
        var factory = Factory(dir);
        try
        {
            var logger = factory.GetLogger("dup");
            using (ScopeContext.PushProperty("Name", "from scope"))
            using (ScopeContext.PushProperty("Tenant", "acme"))
            {
                // One parameter for two holes: the second hole is stored as null.
                logger.Info("Hi {Name} from {City}", "Ann");
                logger.WithProperty("Name", "from event").WithProperty("Shard", 7).Info("Hi {Name}", "Bob");
                logger.Info("No holes, no parameters");
            }
            var events = new MmapLogReader(dir.LogPath).ReadEvents().ToList();
            Assert.Equal(3, events.Count);

            Assert.Equal(new[] { "Name", "City", "Tenant" }, events[0].Properties.Select(p => p.Name).ToArray());
            Assert.Equal("Ann", Scalar(events[0], "Name"));
            Assert.Null(Scalar(events[0], "City"));
            Assert.Equal("acme", Scalar(events[0], "Tenant"));

            Assert.Equal("Name", events[1].Properties[0].Name);
            Assert.Equal(1, events[1].Properties.Count(p => p.Name == "Name"));
            Assert.Equal("Bob", Scalar(events[1], "Name"));
            Assert.Equal(7, Scalar(events[1], "Shard"));
            Assert.Equal("acme", Scalar(events[1], "Tenant"));

            // The buffer is empty again: nothing of the earlier events leaks into a later one (scopes in NLog's order).
            Assert.Equal(new[] { "Name", "Tenant" }, events[2].Properties.Select(p => p.Name).Order().ToArray());
            Assert.Equal("from scope", Scalar(events[2], "Name"));
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Fact]
    public void Collections_and_dictionaries_become_sequences_and_dictionaries()
    {
        using var dir = new TempLogDir();
        var factory = Factory(dir);
        try
        {
            factory.GetLogger("C").Info("Items {Items} map {Map} other {Other}",
                new[] { 1, 2, 3 }, new Dictionary<string, object> { ["a"] = 1, ["b"] = "x" }, new Uri("http://example.com/"));
            var read = Assert.Single(new MmapLogReader(dir.LogPath).ReadEvents());
            Assert.True(read.TryGetProperty("Items", out var items));
            Assert.Equal(new object?[] { 1, 2, 3 }, Assert.IsType<LogSequence>(items).Elements.Select(v => ((LogScalar)v).Value));
            Assert.True(read.TryGetProperty("Map", out var map));
            var entries = Assert.IsType<LogDictionary>(map).Entries;
            Assert.Equal(new object?[] { "a", "b" }, entries.Select(kv => ((LogScalar)kv.Key).Value));
            Assert.Equal(new object?[] { 1, "x" }, entries.Select(kv => ((LogScalar)kv.Value).Value));
            Assert.True(read.TryGetProperty("Other", out var other));
            var opaque = Assert.IsType<LogOpaqueScalar>(other);
            Assert.Equal("System.Uri", opaque.TypeName);
            Assert.Equal("http://example.com/", opaque.Text);
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Fact]
    public void Event_properties_are_left_out_when_IncludeEventProperties_is_false()
    {
        using var dir = new TempLogDir();
        var factory = NLogConfigs.FromXml(new Dictionary<string, string>
        {
            ["fileName"] = dir.LogPath,
            ["archiveAboveSize"] = "65536",
            ["includeEventProperties"] = "false",
        });
        try
        {
            var e = LogEventInfo.Create(LogLevel.Info, "E", null, "Hi {Name}", new object[] { "Bo" });
            e.Properties["Extra"] = 1;
            using (ScopeContext.PushProperty("Scoped", 2))
            {
                factory.GetLogger("E").Log(e);
            }
            var read = Assert.Single(new MmapLogReader(dir.LogPath).ReadEvents());
            Assert.Equal(new[] { "Name" }, read.Properties.Select(p => p.Name));
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Fact]
    public void Events_logged_through_Microsoft_Extensions_Logging_keep_their_template_and_scopes()
    {
        using var dir = new TempLogDir();
        var factory = Factory(dir);
        try
        {
            using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace)
                .AddNLog(_ => factory));
            var logger = loggerFactory.CreateLogger("Mel.Category");
            using (logger.BeginScope(new Dictionary<string, object> { ["Tenant"] = "acme" }))
            {
                logger.LogWarning("User {UserId} from {Ip}", 42, "10.0.0.1");
            }
            var read = Assert.Single(new MmapLogReader(dir.LogPath).ReadEvents());
            Assert.Equal(MmapLevel.Warning, read.Level);
            Assert.Equal("Mel.Category", read.LoggerName);
            Assert.Equal("User {UserId} from {Ip}", read.MessageTemplate);
            Assert.Equal(42, Scalar(read, "UserId"));
            Assert.Equal("10.0.0.1", Scalar(read, "Ip"));
            Assert.Equal("acme", Scalar(read, "Tenant"));
            Assert.Equal("User 42 from 10.0.0.1", read.RenderedMessage);
            Assert.Equal(new[] { "UserId", "Ip", "Tenant" }, read.Properties.Select(p => p.Name));
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Fact]
    public void Context_properties_and_the_global_context_are_stored_when_configured()
    {
        using var dir = new TempLogDir();
        var factory = new LogFactory();
        factory.Setup().SetupExtensions(e => e.RegisterTarget<MmapTarget>("Mmap")).LoadConfigurationFromXml($$"""
            <nlog throwConfigExceptions="true">
              <targets>
                <target name="mmap" type="Mmap" fileName="{{dir.LogPath}}" archiveAboveSize="65536" includeGdc="true">
                  <contextproperty name="App" layout="orders" />
                  <contextproperty name="Upper" layout="${logger:uppercase=true}" />
                </target>
              </targets>
              <rules><logger name="*" minlevel="Info" writeTo="mmap" /></rules>
            </nlog>
            """);
        GlobalDiagnosticsContext.Set("Region", "eu-west");
        try
        {
            factory.GetLogger("ctx").Info("Hi {Name}", "Ann");
            var read = Assert.Single(new MmapLogReader(dir.LogPath).ReadEvents());
            Assert.Equal("Ann", Scalar(read, "Name"));
            Assert.Equal("orders", Scalar(read, "App"));
            Assert.Equal("CTX", Scalar(read, "Upper"));
            Assert.Equal("eu-west", Scalar(read, "Region"));
        }
        finally
        {
            GlobalDiagnosticsContext.Remove("Region");
            factory.Shutdown();
        }
    }

    [Fact]
    public void Events_logged_from_many_threads_at_once_all_read_back_intact()
    {
        using var dir = new TempLogDir();
        var factory = NLogConfigs.FromXml(new Dictionary<string, string> { ["fileName"] = dir.LogPath, ["archiveAboveSize"] = "262144" });
        const int threads = 4, perThread = 3000;
        try
        {
            var workers = Enumerable.Range(0, threads).Select(t => new System.Threading.Thread(() =>
            {
                var logger = factory.GetLogger("T" + t);
                for (int i = 0; i < perThread; i++)
                {
                    var e = LogEventInfo.Create(LogLevel.Info, "T" + t, null, "Thread {Thread} event {Index}", new object[] { t, i });
                    e.Properties["Check"] = t * 100_000 + i;
                    logger.Log(e);
                }
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            factory.Flush();
            var events = new MmapLogReader(dir.LogPath).ReadEvents().ToList();
            Assert.Equal(threads * perThread, events.Count);
            foreach (var read in events)
            {
                int thread = (int)Scalar(read, "Thread")!;
                int index = (int)Scalar(read, "Index")!;
                Assert.Equal(thread * 100_000 + index, Scalar(read, "Check"));
                Assert.Equal("T" + thread, read.LoggerName);
                Assert.Equal($"Thread {thread} event {index}", read.RenderedMessage);
            }
            Assert.Equal(threads * perThread, events.Select(e => (int)Scalar(e, "Check")!).Distinct().Count());
            Assert.Equal(0, factory.Target().DroppedEvents);
        }
        finally
        {
            factory.Shutdown();
        }
    }
}
