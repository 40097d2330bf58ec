using BenchmarkDotNet.Running;

namespace NLog.Targets.Mmap.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project tests/NLog.Targets.Mmap.Benchmarks -- --filter '*' [--job short]
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
