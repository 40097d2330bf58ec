namespace Sinks.Mmap;

/// <summary>The neutral event level stored in every record; Serilog and NLog levels map onto it.</summary>
public enum MmapLevel : byte
{
    /// <summary>Serilog Verbose, NLog Trace.</summary>
    Verbose = 0,
    /// <summary>Debug.</summary>
    Debug = 1,
    /// <summary>Serilog Information, NLog Info.</summary>
    Information = 2,
    /// <summary>Serilog Warning, NLog Warn.</summary>
    Warning = 3,
    /// <summary>Error.</summary>
    Error = 4,
    /// <summary>Fatal.</summary>
    Fatal = 5,
}
