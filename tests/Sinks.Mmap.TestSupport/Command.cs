using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Xunit;

namespace Sinks.Mmap.TestSupport;

/// <summary>Runs a system program (mount, chown, setfacl…) to its end, for a test's set-up and clean-up.</summary>
internal static class Command
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; a program that is missing is exit code -1.</summary>
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        try
        {
            using Process process = Process.Start(info)!;
            Task<string> error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd() + error.Result;
            process.WaitForExit();
            return (process.ExitCode, output.Trim());
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> and fails the test unless it exits 0.</summary>
    public static void RunOrFail(string file, params string[] args)
    {
        (int code, string output) = Run(file, args);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)} exited {code}: {output}");
    }
}
