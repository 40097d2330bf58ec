using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace Sinks.Mmap.Storage;

/// <summary>
/// The exclusive lock that keeps a second writer, in this process or another, off a log's segments.
/// It is an OS file lock on <c>&lt;path&gt;.lock</c>, so a killed writer releases it at once.
/// </summary>
internal sealed class WriterLock : IDisposable
{
    private readonly FileStream _file;

    private WriterLock(FileStream file) => _file = file;

    public static WriterLock? TryAcquire(string lockPath, out string? problem)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
            var file = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            byte[] pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            file.SetLength(0);
            file.Write(pid, 0, pid.Length);
            file.Flush();
            problem = null;
            return new WriterLock(file);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException && IsSharingViolation(ex))
        {
            problem = $"another writer holds {lockPath}{DescribeHolder(lockPath)}; only one writer may use a log at a time";
            return null;
        }
    }

    private static bool IsSharingViolation(IOException ex) =>
        // Windows: ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION; Unix: the runtime maps EWOULDBLOCK to this message.
        (ex.HResult & 0xFFFF) is 32 or 33 || ex.Message.Contains("being used by another process", StringComparison.OrdinalIgnoreCase);

    private static string DescribeHolder(string lockPath)
    {
        try
        {
            // Not a FileStream: on Unix it would take a shared flock, which the holder's exclusive one refuses.
            var buffer = new byte[32];
            int n = NativeMethods.ReadUnlocked(lockPath, buffer);
            if (n <= 0) return "";
            string text = Encoding.ASCII.GetString(buffer, 0, n).Trim();
            return text.Length > 0 ? $" (process {text})" : "";
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    public void Dispose() => _file.Dispose();
}
