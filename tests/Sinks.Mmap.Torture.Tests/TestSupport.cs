using Xunit;

namespace Sinks.Mmap.Torture.Tests;

/// <summary>Xunit data: the two adapters.</summary>
public static class Adapters
{
    public static TheoryData<string> Both => new() { Roles.MmapSerilog, Roles.MmapNLog };
}
