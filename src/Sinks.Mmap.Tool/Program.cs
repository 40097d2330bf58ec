using System;

namespace Sinks.Mmap.Tool;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("mmaplog: commands arrive with the mmaplog issue; nothing to run yet.");
        return 2;
    }
}
