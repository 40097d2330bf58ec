using Xunit;

namespace Sinks.Mmap.Core.Tests;

/// <summary>
/// The package's public surface, committed as PublicApiTests.The_public_API_is_the_approved_one.verified.txt:
/// whatever users can call changes only on purpose, seen in review as a diff of that file.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void The_public_API_is_the_approved_one()
    {
        Snapshot.Verify(PublicApi.Describe(typeof(MmapLogReader).Assembly));
    }
}
