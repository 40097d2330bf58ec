using System;
using BenchmarkDotNet.Running;
using Sinks.Mmap.Benchmarks.Peers;

namespace Sinks.Mmap.Benchmarks;

internal static class Program
{
    private static int Main(string[] args)
    {
        // Harnesses that are not BenchmarkDotNet benchmarks (see README.md and docs/BENCHMARKS.md).
        if (args.Length > 0 && args[0] is "latency" or "disk" or "compression" or "durability" or "hostile")
        {
            return Harness.HarnessCommand.Run(args);
        }
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        PeerReport.Print(summaries, Console.Out);
        return 0;
    }
}
