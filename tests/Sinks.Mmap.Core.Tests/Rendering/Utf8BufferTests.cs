using System;
using System.Text;
using Sinks.Mmap.Rendering;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Rendering;

public class Utf8BufferTests
{
    [Fact]
    public void Writes_land_in_a_borrowed_window_and_setting_the_length_back_undoes_them_there()
    {
        var buffer = new Utf8Buffer(16);
        buffer.Write("own"u8);
        byte[] foreign = new byte[200]; // Format asks for 64 bytes of room
        foreign[9] = (byte)'!';
        buffer.Borrow(foreign, 10);
        Assert.True(buffer.IsBorrowed);
        Assert.Equal(0, buffer.Length);
        buffer.Write("hello"u8);
        buffer.Format(42);
        Assert.Equal("hello42", Encoding.UTF8.GetString(foreign, 10, 7));
        Assert.Equal("hello42", Encoding.UTF8.GetString(buffer.WrittenSpan));
        buffer.Length = 5;
        buffer.Write((byte)'!');
        Assert.Equal("hello!", Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Equal((byte)'!', foreign[9]); // nothing before the window is touched

        buffer.EndBorrow();
        Assert.False(buffer.IsBorrowed);
        Assert.Equal(0, buffer.Length);
        buffer.Write("back"u8);
        Assert.Equal("back", Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Equal("hello!", Encoding.UTF8.GetString(foreign, 10, 6)); // and the window is no longer written
    }

    [Fact]
    public void What_outgrows_a_borrowed_window_moves_to_the_buffers_own_array_whole()
    {
        var buffer = new Utf8Buffer(16);
        byte[] foreign = new byte[40];
        buffer.Borrow(foreign, 30);
        buffer.Write("0123456789"u8); // exactly the window
        Assert.True(buffer.IsBorrowed);
        buffer.Write((byte)'A');
        Assert.False(buffer.IsBorrowed);
        byte[] big = new byte[1000];
        big.AsSpan().Fill((byte)'z');
        buffer.Write(big);
        string text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.Equal("0123456789A" + new string('z', 1000), text);
        buffer.Length = 3;
        Assert.Equal("012", Encoding.UTF8.GetString(buffer.WrittenSpan));

        buffer.EndBorrow();
        buffer.Write("again"u8);
        Assert.Equal("again", Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Length = 6);
    }
}
