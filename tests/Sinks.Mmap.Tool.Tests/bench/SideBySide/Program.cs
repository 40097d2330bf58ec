using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using System.Threading.Tasks;

// Two builds of mmaplog loaded side by side in one process (an AssemblyLoadContext each), the same
// command run through each in turn: steady-state time, A/B pair by pair, with the machine's drift
// shared by both sides of each pair. Prints figures, asserts nothing.
// Usage: SideBySide <toolDirA> <toolDirB> <rounds> <mmaplog arguments...>
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: SideBySide <toolDirA> <toolDirB> <rounds> <mmaplog arguments...>");
    return 2;
}
Func<int> a = Load(args[0], args[3..]);
Func<int> b = Load(args[1], args[3..]);
int rounds = int.Parse(args[2]);
for (int i = 0; i < 3; i++)
{
    Time(a);
    Time(b);
}
var ta = new List<double>();
var tb = new List<double>();
var ratio = new List<double>();
for (int i = 0; i < rounds; i++)
{
    // The order alternates, so neither side always runs first after the other's garbage.
    double x, y;
    if (i % 2 == 0)
    {
        x = Time(a);
        y = Time(b);
    }
    else
    {
        y = Time(b);
        x = Time(a);
    }
    ta.Add(x);
    tb.Add(y);
    ratio.Add(x / y);
}
Console.WriteLine($"A ms   {Spread(ta, "F1")}");
Console.WriteLine($"B ms   {Spread(tb, "F1")}");
Console.WriteLine($"A/B    {Spread(ratio, "F3")}   ({rounds} pairs)");
return 0;

static Func<int> Load(string dir, string[] command)
{
    dir = Path.GetFullPath(dir);
    var context = new AssemblyLoadContext(dir);
    context.Resolving += (c, name) =>
    {
        string path = Path.Combine(dir, name.Name + ".dll");
        return File.Exists(path) ? c.LoadFromAssemblyPath(path) : null;
    };
    Assembly tool = context.LoadFromAssemblyPath(Path.Combine(dir, "mmaplog.dll"));
    MethodInfo run = tool.GetType("Sinks.Mmap.Tool.Program")!.GetMethod("RunAsync", BindingFlags.NonPublic | BindingFlags.Static,
        new[] { typeof(string[]), typeof(TextWriter), typeof(TextWriter), typeof(CancellationToken) })
        ?? throw new InvalidOperationException($"{dir}: no Program.RunAsync(string[], TextWriter, TextWriter, CancellationToken)");
    return () => ((Task<int>)run.Invoke(null, new object[] { command, TextWriter.Null, TextWriter.Null, CancellationToken.None })!).GetAwaiter().GetResult();
}

static double Time(Func<int> command)
{
    var clock = Stopwatch.StartNew();
    int exit = command();
    if (exit != 0) throw new InvalidOperationException($"mmaplog exited {exit}");
    return clock.Elapsed.TotalMilliseconds;
}

static string Spread(List<double> values, string format)
{
    var sorted = values.OrderBy(v => v).ToList();
    return $"min {sorted[0].ToString(format)}  median {sorted[sorted.Count / 2].ToString(format)}  max {sorted[^1].ToString(format)}";
}
