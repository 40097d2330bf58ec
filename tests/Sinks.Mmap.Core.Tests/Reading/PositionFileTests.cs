using System.IO;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Reading;

/// <summary><see cref="LogPosition.SaveTo"/> and <see cref="LogPosition.TryLoadFrom"/>: the file a reader resumes from.</summary>
public sealed class PositionFileTests
{
    [Fact]
    public void A_saved_position_of_several_lanes_loads_back_equal()
    {
        using var folder = new TempFolder();
        string path = folder.File("app.position");
        LogPosition position = LogPosition.Parse("3:4096:1200,app~2@1:8192:77");

        position.SaveTo(path);

        Assert.True(LogPosition.TryLoadFrom(path, out LogPosition? loaded, out string? problem), problem);
        Assert.Equal(position, loaded);
        Assert.Equal("3:4096:1200,app~2@1:8192:77\n", File.ReadAllText(path));
    }

    [Fact]
    public void A_missing_or_empty_position_file_means_from_the_start()
    {
        using var folder = new TempFolder();
        Assert.True(LogPosition.TryLoadFrom(folder.File("none"), out LogPosition? missing, out _));
        Assert.Null(missing);
        File.WriteAllText(folder.File("empty"), "\n");
        Assert.True(LogPosition.TryLoadFrom(folder.File("empty"), out LogPosition? empty, out _));
        Assert.Null(empty);
    }

    [Fact]
    public void A_fifo_a_device_a_huge_file_or_other_text_is_refused_with_the_reason()
    {
        using var folder = new TempFolder();
        string fifo = folder.File("fifo");
        SpecialFileTests.MakeFifo(fifo);
        Assert.False(LogPosition.TryLoadFrom(fifo, out _, out string? notRegular));
        Assert.Equal("is not a regular file (a FIFO)", notRegular);

        Assert.False(LogPosition.TryLoadFrom("/dev/zero", out _, out string? device));
        Assert.Equal("is not a regular file (a character device)", device);

        File.WriteAllText(folder.File("big"), new string('1', 4097));
        Assert.False(LogPosition.TryLoadFrom(folder.File("big"), out _, out string? big));
        Assert.Equal("is larger than a position file (4096 bytes at most)", big);

        File.WriteAllText(folder.File("text"), "not a position");
        Assert.False(LogPosition.TryLoadFrom(folder.File("text"), out _, out string? text));
        Assert.Equal("does not hold a position (segment:offset:sequence)", text);
    }

    [Fact]
    public void Saving_over_a_planted_link_replaces_the_link_and_leaves_its_target_alone()
    {
        using var folder = new TempFolder();
        string victim = folder.File("victim");
        File.WriteAllText(victim, "keep");
        string path = folder.File("app.position");
        File.CreateSymbolicLink(path, victim);

        new LogPosition(1, 128, 1).SaveTo(path);

        Assert.Equal("keep", File.ReadAllText(victim));
        Assert.Null(new FileInfo(path).LinkTarget);
        Assert.Equal("1:128:1\n", File.ReadAllText(path));
    }
}
