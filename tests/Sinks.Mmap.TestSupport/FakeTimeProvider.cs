using System;
using System.Threading;

namespace Sinks.Mmap.TestSupport;

/// <summary>A clock the test sets by hand; its local time zone is UTC unless a test gives another.</summary>
internal sealed class FakeTimeProvider : TimeProvider
{
    private long _utcTicks;
    private readonly TimeZoneInfo _zone;

    public FakeTimeProvider(DateTimeOffset start, TimeZoneInfo? zone = null)
    {
        _utcTicks = start.UtcTicks;
        _zone = zone ?? TimeZoneInfo.Utc;
    }

    public DateTimeOffset Now
    {
        get => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _utcTicks, value.UtcTicks);
    }

    public override DateTimeOffset GetUtcNow() => Now;

    public override TimeZoneInfo LocalTimeZone => _zone;
}
