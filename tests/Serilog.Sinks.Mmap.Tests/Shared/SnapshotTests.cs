using System.IO;
using System.Runtime.CompilerServices;
using Xunit;
using Xunit.Sdk;

namespace Serilog.Sinks.Mmap.Tests.Shared;

// The helper must be able to fail, or every snapshot test above it proves nothing.
public class SnapshotTests
{
    [Fact]
    public void Matching_text_passes_whatever_the_line_endings()
    {
        string received = ReceivedPath();
        System.IO.File.WriteAllText(received, "stale");

        Snapshot.Verify("line one\r\nline two\r\n");

        Assert.False(System.IO.File.Exists(received), "a stale .received.txt should be removed on a match");
    }

    [Fact]
    public void Different_text_fails_and_leaves_received_file()
    {
        string received = ReceivedPath();
        try
        {
            FailException failure = Assert.Throws<FailException>(() => Snapshot.Verify("actual\n"));

            Assert.Contains(".verified.txt", failure.Message, System.StringComparison.Ordinal);
            Assert.Contains(".received.txt", failure.Message, System.StringComparison.Ordinal);
            Assert.Equal("actual\n", System.IO.File.ReadAllText(received));
        }
        finally
        {
            System.IO.File.Delete(received);
        }
    }

    [Fact]
    public void Missing_verified_file_fails_and_leaves_received_file()
    {
        string received = ReceivedPath();
        try
        {
            Assert.Throws<FailException>(() => Snapshot.Verify("new\n"));

            Assert.Equal("new\n", System.IO.File.ReadAllText(received));
        }
        finally
        {
            System.IO.File.Delete(received);
        }
    }

    private static string ReceivedPath([CallerFilePath] string path = "", [CallerMemberName] string member = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, $"{Path.GetFileNameWithoutExtension(path)}.{member}.received.txt");
}
