using System;
using System.Collections.Generic;
using NLog;
using NLog.Targets.Mmap;
using Sinks.Mmap;

// log <path>: logs numbered events until killed, printing "acked N" after event N's log call has returned.
// verify <path> <acked>: reads the log back and checks that events 0..acked are all there, once each.
if (args.Length >= 2 && args[0] == "log")
{
    LogManager.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = args[1], ArchiveAboveSize = 1 << 20, MaxArchiveFiles = -1 }));
    // An event property besides the template's: under Native AOT the target finds it without its DynamicMethod probe.
    Logger logger = LogManager.GetLogger("NLog.Aot").WithProperty("Tenant", "aot");
    AotReflection.KeepOrderProperties();
    for (long i = 0; ; i++)
    {
        logger.Info("AOT event {Counter} from {Source} with {@Detail} for {@Order}", i, "NLog.Aot", new Dictionary<string, int> { ["even"] = (int)(i % 2) }, new Order(i, "Ada"));
        if (i % 1000 == 0)
        {
            Console.Out.WriteLine($"acked {i}");
            Console.Out.Flush();
        }
    }
}
if (args.Length >= 3 && args[0] == "verify")
{
    long acked = long.Parse(args[2]);
    var seen = new HashSet<long>();
    foreach (MmapEvent e in new MmapLogReader(args[1]).ReadEvents())
    {
        if (!e.TryGetProperty("Counter", out LogValue value) || value is not LogScalar { Value: long counter } || !seen.Add(counter))
        {
            Console.Error.WriteLine($"event {e.Sequence} unreadable or read twice");
            return 1;
        }
        if (!e.TryGetProperty("Tenant", out LogValue tenant) || tenant is not LogScalar { Value: "aot" } || !e.TryGetProperty("Detail", out _))
        {
            Console.Error.WriteLine($"event {counter} lost its Tenant or Detail property");
            return 1;
        }
        // Destructured through reflection under Native AOT (no compiled getters there): the record's properties, whole.
        if (!e.TryGetProperty("Order", out LogValue order) || order is not LogStructure { Properties: [{ Name: "Id", Value: LogScalar { Value: long id } }, { Name: "Customer", Value: LogScalar { Value: "Ada" } }] } || id != counter)
        {
            Console.Error.WriteLine($"event {counter} lost its destructured Order");
            return 1;
        }
    }
    long lost = 0;
    for (long i = 0; i <= acked; i++)
    {
        if (!seen.Contains(i)) lost++;
    }
    Console.WriteLine($"read {seen.Count} events, {lost} of the {acked + 1} acknowledged lost");
    return lost == 0 && seen.Count > acked ? 0 : 1;
}
Console.Error.WriteLine("usage: NLog.Aot log <path> | verify <path> <acked>");
return 2;

/// <summary>What <c>{@Order}</c> destructures.</summary>
internal sealed record Order(long Id, string Customer);

internal static class AotReflection
{
    /// <summary>
    /// <c>{@Value}</c> reads a type's public properties through reflection under Native AOT, and the trimmer
    /// keeps that metadata only for types something asks it to: without this, Order is stored with no
    /// properties (as NLog's own serializer then writes it).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.DynamicDependency(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicProperties, typeof(Order))]
    public static void KeepOrderProperties()
    {
    }
}
