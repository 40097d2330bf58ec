using System;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Sinks.Mmap.Benchmarks.Peers;

namespace Sinks.Mmap.Benchmarks;

internal static class Program
{
    private static int Main(string[] args)
    {
        // Harnesses that are not BenchmarkDotNet benchmarks (see README.md and docs/BENCHMARKS.md).
        if (args.Length > 0 && args[0] is "latency" or "disk" or "compression" or "compression-cost" or "append-cost" or "peer-pairs" or "durability" or "hostile" or "encode-cost")
        {
            return Harness.HarnessCommand.Run(args);
        }
        // The generated project builds the whole solution's sources: on a shared 2-core machine that
        // takes longer than BenchmarkDotNet's default 2 minutes (a timeout set in a [Config] is not used for the build).
        var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(15));
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        PeerReport.Print(summaries, Console.Out);
        return 0;
    }
}
