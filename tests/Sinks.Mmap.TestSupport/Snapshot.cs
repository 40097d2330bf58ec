using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace Sinks.Mmap.TestSupport;

/// <summary>
/// Approved-file snapshots with Verify's naming, so moving to Verify later means only swapping
/// the call: <c>&lt;TestFile&gt;.&lt;TestName&gt;.verified.txt</c> is committed next to the test
/// source, and a mismatch writes <c>.received.txt</c> beside it for review.
/// </summary>
internal static class Snapshot
{
    private const string VerifiedSuffix = ".verified.txt";
    private const string ReceivedSuffix = ".received.txt";

    /// <summary>
    /// Fails unless <paramref name="actual"/> equals the verified file for the calling test,
    /// ignoring line-ending style.
    /// </summary>
    /// <param name="actual">The text the test produced.</param>
    /// <param name="name">Snapshot name, when one test keeps several; defaults to the test method's name.</param>
    /// <param name="path">Filled in by the compiler: the test's source file.</param>
    /// <param name="member">Filled in by the compiler: the test method.</param>
    internal static void Verify(
        string actual,
        string? name = null,
        [CallerFilePath] string path = "",
        [CallerMemberName] string member = "")
    {
        string stem = SnapshotStem(path, name ?? member);
        string verifiedPath = stem + VerifiedSuffix;
        string receivedPath = stem + ReceivedSuffix;
        string received = NormaliseLineEndings(actual);

        if (!File.Exists(verifiedPath))
        {
            File.WriteAllText(receivedPath, received);
            Assert.Fail($"No verified snapshot {verifiedPath}. Wrote {receivedPath}; check it by hand and rename it to accept.");
            return;
        }

        string verified = NormaliseLineEndings(File.ReadAllText(verifiedPath));
        if (verified == received)
        {
            // A leftover from an earlier failing run would mislead whoever looks next.
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, received);
        Assert.Fail(
            $"Snapshot mismatch. Verified: {verifiedPath}. Received: {receivedPath}.{Environment.NewLine}" +
            DescribeFirstDifference(verified, received));
    }

    private static string SnapshotStem(string sourcePath, string snapshotName)
    {
        string? directory = Path.GetDirectoryName(sourcePath);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            // CallerFilePath is a build-machine path; a path-mapped (/_/) build cannot find it.
            throw new InvalidOperationException(
                $"Snapshot cannot locate the test source directory from '{sourcePath}'. Build without source path mapping.");
        }

        return Path.Combine(directory, Path.GetFileNameWithoutExtension(sourcePath) + "." + snapshotName);
    }

    private static string NormaliseLineEndings(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

    private static string DescribeFirstDifference(string verified, string received)
    {
        int length = Math.Min(verified.Length, received.Length);
        int index = 0;
        while (index < length && verified[index] == received[index])
        {
            index++;
        }

        return $"First difference at character {index}:{Environment.NewLine}" +
               $"  verified: {Excerpt(verified, index)}{Environment.NewLine}" +
               $"  received: {Excerpt(received, index)}";
    }

    private static string Excerpt(string text, int index)
    {
        const int Context = 40;
        int start = Math.Max(0, index - Context);
        int end = Math.Min(text.Length, index + Context);
        string excerpt = text.Substring(start, end - start).Replace("\n", "\\n");
        return index >= text.Length ? excerpt + "<end>" : excerpt;
    }
}
