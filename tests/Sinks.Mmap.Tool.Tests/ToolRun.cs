using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>Runs mmaplog in-process (through Program.RunAsync) or as the real built mmaplog.dll.</summary>
internal static class ToolRun
{
    public static ChildResult Run(params string[] args) => RunAsync(args, CancellationToken.None).GetAwaiter().GetResult();

    public static async Task<ChildResult> RunAsync(string[] args, CancellationToken ct)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = await Program.RunAsync(args, stdout, stderr, ct);
        return new ChildResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The built tool next to the tests (the project reference copies it).</summary>
    public static string ToolDll => DotnetChild.BesideTests("mmaplog.dll");

    private static readonly Dictionary<string, string> NoColor = new() { ["NO_COLOR"] = "1" };

    /// <summary>Runs <c>dotnet mmaplog.dll args</c> and waits at most <paramref name="timeout"/>.</summary>
    public static ChildResult RunProcess(TimeSpan timeout, params string[] args)
    {
        return DotnetChild.Run(ToolDll, args, timeout, NoColor);
    }

    /// <summary>Asserts that stderr holds only mmaplog's own one-line messages, never a stack trace.</summary>
    public static void AssertNoStackTrace(ChildResult result)
    {
        Xunit.Assert.DoesNotContain("   at ", result.Stderr);
        Xunit.Assert.DoesNotContain("Unhandled exception", result.Stderr);
        foreach (string line in result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Xunit.Assert.StartsWith("mmaplog: ", line);
        }
    }
}
