using System;
using System.Globalization;
using System.Text;
using Sinks.Mmap.Rendering;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Rendering;

public class CentsDoubleTests
{
    private static void AssertLikeRoundTripFormat(double value, ref int taken)
    {
        var buffer = new Utf8Buffer(16);
        if (CentsDouble.TryWrite(value, buffer))
        {
            taken++;
            Assert.Equal(value.ToString("R", CultureInfo.InvariantCulture), Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
        else
        {
            Assert.Equal(0, buffer.Length);
        }
    }

    [Fact]
    public void Whole_hundredths_are_written_exactly_as_the_round_trip_format_writes_them()
    {
        int taken = 0;
        for (long n = -200_000; n <= 200_000; n++)
        {
            AssertLikeRoundTripFormat(n / 100.0, ref taken);
            AssertLikeRoundTripFormat(n * 0.25, ref taken);
            AssertLikeRoundTripFormat(n * 0.1, ref taken);
            AssertLikeRoundTripFormat(n * 0.01, ref taken);
        }
        var random = new Random(20261121);
        for (int i = 0; i < 200_000; i++)
        {
            long n = random.NextInt64(-1_000_000_000_000_000, 1_000_000_000_000_000) / (long)Math.Pow(10, random.Next(16));
            AssertLikeRoundTripFormat(n / 100.0, ref taken);
            AssertLikeRoundTripFormat(n, ref taken);
        }
        Assert.True(taken > 1_000_000, $"only {taken} values took the shortcut");
    }

    [Fact]
    public void Other_doubles_are_left_to_the_framework()
    {
        int taken = 0;
        foreach (double value in new[] { 0.0, -0.0, 1e13, -1e13, 1e15, 1e300, 5e-324, 0.001, 1.0 / 3, 0.1 + 0.2, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            AssertLikeRoundTripFormat(value, ref taken);
        }
        Assert.Equal(0, taken);
        var random = new Random(7);
        for (int i = 0; i < 200_000; i++)
        {
            AssertLikeRoundTripFormat(BitConverter.Int64BitsToDouble(random.NextInt64()), ref taken);
        }
    }
}
