using System.IO;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Sinks.Mmap.Storage;
using Sinks.Mmap.Writing;

namespace Sinks.Mmap.Benchmarks;

/// <summary>
/// What one rotation costs the writer's maintainer thread, off the logging path: preparing a
/// 256 MiB segment (create, fallocate, map, pre-fault every page) and closing a full one (unmap,
/// trim, close), then deleting it as retention would. Divide by the records a segment holds to get
/// the background cost per record that <see cref="AppendBenchmarks"/> runs alongside.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, id: "Monitoring")]
public class RotationBenchmarks
{
    private const long SegmentBytes = 256L * 1024 * 1024;

    private TempDirectory _directory = null!;
    private SegmentPreparer _preparer = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = new TempDirectory("rotation");
        _preparer = new SegmentPreparer(new MmapLogOptions { Path = Path.Combine(_directory.Path, "r.mlog"), SegmentSizeBytes = SegmentBytes }, _ => { });
    }

    [GlobalCleanup]
    public void Cleanup() => _directory.Dispose();

    [Benchmark]
    public void PrepareAndClose256MiB()
    {
        SegmentStorage storage = _preparer.Prepare(new SegmentNaming(Path.Combine(_directory.Path, "r.mlog")), ++_next);
        string path = storage.Path;
        storage.CloseAndTrim(SegmentBytes, flushToDisk: false);
        File.Delete(path);
    }
}
