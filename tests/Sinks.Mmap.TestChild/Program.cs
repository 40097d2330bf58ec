namespace Sinks.Mmap.TestChild;

internal static class Program
{
    private static int Main(string[] args) => 0;
}
