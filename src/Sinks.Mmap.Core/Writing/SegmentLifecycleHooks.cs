namespace Sinks.Mmap;

/// <summary>
/// Called as segments are sealed, compressed and deleted (as Serilog.Sinks.File's
/// <c>FileLifecycleHooks</c>): for example to copy sealed segments to object storage. The calls come
/// from a background thread, one at a time, never from a logging thread. A hook that throws is
/// reported; one that has not returned after <see cref="Timeout"/> is reported and left running,
/// and the log moves on without it. Override what you need.
/// </summary>
public abstract class SegmentLifecycleHooks
{
    /// <summary>How long a hook may run before the log moves on without waiting for it. Default 30 s.</summary>
    public virtual System.TimeSpan Timeout => System.TimeSpan.FromSeconds(30);

    /// <summary>A segment was sealed and closed: <paramref name="path"/> will not change again (until compressed or deleted).</summary>
    /// <param name="path">The sealed segment file.</param>
    public virtual void OnSegmentSealed(string path)
    {
    }

    /// <summary>A sealed segment was replaced by its compressed copy (FORMAT.md, <i>Compressed segments</i>).</summary>
    /// <param name="segmentPath">The segment file, deleted now.</param>
    /// <param name="compressedPath">The compressed copy that holds it.</param>
    public virtual void OnSegmentCompressed(string segmentPath, string compressedPath)
    {
    }

    /// <summary>Retention is about to delete <paramref name="path"/> (a segment or a compressed copy).</summary>
    /// <param name="path">The file about to be deleted.</param>
    public virtual void OnSegmentDeleting(string path)
    {
    }
}
