using System;
using System.Globalization;
using System.IO;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Sinks.Mmap.Storage;

/// <summary>Why a lock could not be taken.</summary>
internal enum LockRefusal
{
    None,
    /// <summary>Another writer, in this process or another, holds it.</summary>
    Held,
    /// <summary>Something other than a lock file sits at the lock's name (a link, a FIFO, a folder): never used.</summary>
    NotALockFile,
}

/// <summary>
/// The exclusive lock that gives one writer a lane of a log (see <see cref="SegmentNaming"/>). It is
/// an OS file lock on <c>&lt;path&gt;.lock</c>, so a killed writer releases it at once.
/// </summary>
/// <remarks>
/// On Linux the lock file is opened without following a symbolic link and without blocking on a
/// FIFO, and only a regular file with one name is used: a name planted in a folder others can write
/// to never makes the writer truncate someone else's file or hang. The lock is also only as good as
/// its name: when the file is deleted or the folder is deleted and created again, another writer can
/// lock a new file under the same name. <see cref="IsStillOurs"/> tells, by inode, whether the name
/// still leads to the file this writer locked.
/// </remarks>
internal sealed class WriterLock : IDisposable
{
    private readonly FileStream? _stream;
    private readonly SafeFileHandle? _handle;
    private readonly FileIdentity _identity;

    private WriterLock(string path, FileStream? stream, SafeFileHandle? handle, FileIdentity identity)
    {
        Path = path;
        _stream = stream;
        _handle = handle;
        _identity = identity;
    }

    public string Path { get; }

    public static WriterLock? TryAcquire(string lockPath, out LockRefusal refusal, out string? problem)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(lockPath)!);
        return UnixFiles.IsSupported ? TryAcquireUnix(lockPath, out refusal, out problem) : TryAcquirePortable(lockPath, out refusal, out problem);
    }

    private static WriterLock? TryAcquireUnix(string lockPath, out LockRefusal refusal, out string? problem)
    {
        SafeFileHandle? handle = UnixFiles.OpenRegular(lockPath, writable: true, create: true, createNew: false, out FileKind kind, out int errno);
        if (handle is null)
        {
            if (kind is FileKind.Missing or FileKind.Regular)
            {
                throw UnixFiles.ToException(errno, lockPath);
            }
            refusal = LockRefusal.NotALockFile;
            problem = $"{lockPath} is {UnixFiles.Describe(kind)}, not a lock file; it is left alone";
            return null;
        }
        FileIdentity identity = UnixFiles.Identify(handle);
        if (identity.Links > 1)
        {
            // A hard link planted to someone else's file: writing the pid would overwrite that file.
            handle.Dispose();
            refusal = LockRefusal.NotALockFile;
            problem = $"{lockPath} has {identity.Links} names (a hard link to another file); it is left alone";
            return null;
        }
        if (!UnixFiles.TryLockExclusive(handle, out errno))
        {
            string holder = ReadHolder(handle);
            handle.Dispose();
            if (errno != UnixFiles.EAGAIN)
            {
                throw UnixFiles.ToException(errno, lockPath);
            }
            refusal = LockRefusal.Held;
            problem = $"another writer holds {lockPath}{holder}";
            return null;
        }
        byte[] pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (!UnixFiles.Truncate(handle, 0, out errno) || !UnixFiles.WriteAt(handle, pid, 0, out errno))
        {
            handle.Dispose();
            throw UnixFiles.ToException(errno, lockPath);
        }
        refusal = LockRefusal.None;
        problem = null;
        return new WriterLock(lockPath, null, handle, identity);
    }

    private static WriterLock? TryAcquirePortable(string lockPath, out LockRefusal refusal, out string? problem)
    {
        try
        {
            var file = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            byte[] pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            file.SetLength(0);
            file.Write(pid, 0, pid.Length);
            file.Flush();
            refusal = LockRefusal.None;
            problem = null;
            return new WriterLock(lockPath, file, null, default);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException && IsSharingViolation(ex))
        {
            refusal = LockRefusal.Held;
            problem = $"another writer holds {lockPath}{DescribeHolder(lockPath)}";
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(lockPath))
        {
            refusal = LockRefusal.NotALockFile;
            problem = $"{lockPath} is a directory, not a lock file; it is left alone";
            return null;
        }
    }

    /// <summary>
    /// True while the lock file's name still leads to the file this writer locked. False once the
    /// file or its folder was deleted (and perhaps made again by another writer): the lock no longer
    /// keeps anyone out.
    /// </summary>
    public bool IsStillOurs()
    {
        if (_handle is null) return true;
        return UnixFiles.IdentifyPath(Path) is { } now && now.Device == _identity.Device && now.Inode == _identity.Inode;
    }

    private static string ReadHolder(SafeFileHandle handle)
    {
        Span<byte> buffer = stackalloc byte[32];
        int n = UnixFiles.ReadAt(handle, buffer, 0);
        if (n <= 0) return "";
        string text = Encoding.ASCII.GetString(buffer.Slice(0, n)).Trim();
        return text.Length > 0 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? $" (process {text})" : "";
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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _handle?.Dispose();
    }
}
