using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using NLog.Targets;
using NLog.Targets.Wrappers;

namespace NLog.Targets.Mmap.Benchmarks;

/// <summary>
/// One structured event per operation on one thread:
/// <c>logger.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5)</c>,
/// to a target that discards it (NullTarget), to NLog's FileTarget with its defaults (AutoFlush:
/// a write() per event), and to the Mmap target.
/// </summary>
[MemoryDiagnoser]
public class SingleThreadBenchmarks
{
    private string _dir = "";
    private LogFactory _nullFactory = null!, _nullFormatFactory = null!, _fileFactory = null!, _mmapFactory = null!, _mmapNoPropsFactory = null!, _mmapNoLayoutFactory = null!, _asyncMmapFactory = null!, _asyncFileFactory = null!;
    private Logger _null = null!, _nullFormat = null!, _file = null!, _mmap = null!, _mmapNoProps = null!, _mmapNoLayout = null!, _asyncMmap = null!, _asyncFile = null!;

    [GlobalSetup]
    public void Setup()
    {
        // MMAP_BENCH_DIR puts the logs elsewhere (e.g. /dev/shm to take the storage device out of the picture).
        string root = Environment.GetEnvironmentVariable("MMAP_BENCH_DIR") is { Length: > 0 } custom ? custom : Path.GetTempPath();
        _dir = Path.Combine(root, "nlog-mmap-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        (_nullFactory, _null) = Create(new NullTarget("null"));
        (_nullFormatFactory, _nullFormat) = Create(new NullTarget("nullformat") { FormatMessage = true, Layout = "${message}" });
        (_fileFactory, _file) = Create(new FileTarget("file") { FileName = Path.Combine(_dir, "file.log") });
        // 256 MiB segments: rotation happens now and then, as in real use (the next segment is prepared in the background).
        (_mmapFactory, _mmap) = Create(new MmapTarget("mmap") { FileName = Path.Combine(_dir, "mmap.mlog"), ArchiveAboveSize = 256L << 20 });
        (_mmapNoPropsFactory, _mmapNoProps) = Create(new MmapTarget("mmap1")
        {
            FileName = Path.Combine(_dir, "mmap-noprops.mlog"), ArchiveAboveSize = 256L << 20, IncludeEventProperties = false,
        });
        (_mmapNoLayoutFactory, _mmapNoLayout) = Create(new MmapTarget("mmap2")
        {
            FileName = Path.Combine(_dir, "mmap-nolayout.mlog"), ArchiveAboveSize = 256L << 20, Layout = "", IncludeEventProperties = false,
        });
        (_asyncMmapFactory, _asyncMmap) = Create(Async(new MmapTarget("mmap3") { FileName = Path.Combine(_dir, "mmap-async.mlog"), ArchiveAboveSize = 256L << 20 }));
        (_asyncFileFactory, _asyncFile) = Create(Async(new FileTarget("file2") { FileName = Path.Combine(_dir, "file-async.log") }));
    }

    // OverflowAction Block, not NLog's default Discard: a benchmark that drops events would measure nothing.
    private static AsyncTargetWrapper Async(Target target) =>
        new(target.Name + "-async", target) { OverflowAction = AsyncTargetWrapperOverflowAction.Block };

    private static (LogFactory, Logger) Create(Target target)
    {
        var factory = new LogFactory();
        factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(target));
        return (factory, factory.GetLogger("Bench"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _nullFactory.Shutdown();
        _nullFormatFactory.Shutdown();
        _fileFactory.Shutdown();
        _mmapNoPropsFactory.Shutdown();
        _mmapFactory.Shutdown();
        _mmapNoLayoutFactory.Shutdown();
        _asyncMmapFactory.Shutdown();
        _asyncFileFactory.Shutdown();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Benchmark(Baseline = true)]
    public void NullTarget() => _null.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);

    /// <summary>NullTarget rendering <c>${message}</c>: what NLog's own message formatting costs.</summary>
    [Benchmark]
    public void NullTargetFormatMessage() => _nullFormat.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);

    [Benchmark]
    public void FileTarget() => _file.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);

    [Benchmark]
    public void MmapTarget() => _mmap.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);

    /// <summary>The Mmap target with IncludeEventProperties off (asking NLog for event properties makes it capture the template's parameters).</summary>
    [Benchmark]
    public void MmapTargetNoEventProperties() => _mmapNoProps.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);

    /// <summary>The Mmap target storing template and properties only (empty layout, no event properties).</summary>
    [Benchmark]
    public void MmapTargetNoLayout() => _mmapNoLayout.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);

    /// <summary>The Mmap target behind an AsyncWrapper (blocking when full): what a wrapper adds.</summary>
    [Benchmark]
    public void AsyncWrapperMmapTarget() => _asyncMmap.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);

    /// <summary>FileTarget behind an AsyncWrapper (blocking when full), the usual way to speed FileTarget up.</summary>
    [Benchmark]
    public void AsyncWrapperFileTarget() => _asyncFile.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);
}

/// <summary>Renders its layout and nothing else, as a TargetWithContext: isolates that cost in the quick mode.</summary>
internal sealed class RenderOnlyContextTarget : TargetWithContext
{
    public RenderOnlyContextTarget() => Layout = "${message}";

    protected override void Write(LogEventInfo logEvent) => RenderLogEvent(Layout, logEvent);
}
