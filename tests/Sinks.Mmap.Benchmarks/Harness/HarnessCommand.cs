using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>The non-BenchmarkDotNet modes: <c>latency</c>, <c>disk</c>, <c>compression</c>, <c>compression-cost</c>, <c>append-cost</c>, <c>peer-pairs</c>, <c>durability</c>, <c>hostile</c>, with <c>--name value</c> options.</summary>
internal static class HarnessCommand
{
    public static int Run(string[] args)
    {
        return args[0] switch
        {
            "latency" => LatencyHarness.Run(args),
            "disk" => DiskSizeHarness.Run(args),
            "compression" => CompressionHarness.Run(args),
            "compression-cost" => CompressionCostHarness.Run(args),
            "append-cost" => AppendCostHarness.Run(args),
            "peer-pairs" => PeerPairsHarness.Run(args),
            "durability" => DurabilityHarness.Run(args),
            "hostile" => HostileEventHarness.Run(args),
            "encode-cost" => EncodeCostHarness.Run(args),
            _ => 2,
        };
    }

    /// <summary>The text after <c>--name</c>, or null.</summary>
    public static string? TextOption(string[] args, string name)
    {
        for (int i = 1; i < args.Length - 1; i++)
        {
            if (args[i] == "--" + name)
            {
                return args[i + 1];
            }
        }
        return null;
    }

    /// <summary>The value of <c>--name</c>, or <paramref name="fallback"/>.</summary>
    public static double Option(string[] args, string name, double fallback)
    {
        for (int i = 1; i < args.Length - 1; i++)
        {
            if (args[i] == "--" + name)
            {
                return double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }
        return fallback;
    }

    /// <summary>The median of <paramref name="values"/> (left as they are); 0 when there are none.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = new List<double>(values);
        sorted.Sort();
        int n = sorted.Count;
        if (n == 0) return 0;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>The one-minute load average, for the line each harness starts with; "?" off Linux.</summary>
    public static string Load()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; } catch (IOException) { return "?"; }
    }
}
