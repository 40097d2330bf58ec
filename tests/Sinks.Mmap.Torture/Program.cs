using System;

namespace Sinks.Mmap.Torture;

/// <summary>Entry point: <c>child</c> (the process under test), <c>soak</c> and <c>compare</c> (the drivers).</summary>
internal static class Program
{
    private const string Usage = """
        usage:
          soak    [--rounds 200] [--seed N] [--rounds-per-log 10] [--max-kill-delay-ms 150]
                  SIGKILL rounds over every scenario (random, rotation, retention, recovery) and both
                  adapters; prints a Markdown report; exit 1 if any check failed
          compare [--rounds 5] [--threads 1] [--seconds 1] [--roles a,b,...]
                  the Mmap sink/target against the peer file loggers: events lost per kill and
                  events/s, as a Markdown table
          child   ROLE FOLDER ACK_FILE [--threads N] [--round N] [--segment BYTES] [--retain N|none]
                  [--flush-every N] [--pace-ms N] [--kill-after-opening-us N] [--max-seconds N] [--retry-ms N]
                  the process under test (started by the drivers and the tests)
        roles: mmap-serilog, mmap-nlog, file-serilog-unbuffered, file-serilog-buffered, async-file-serilog,
               nlog-file-autoflush, nlog-file-noautoflush, nlog-asyncwrapper-file
        """;

    private static int Main(string[] args)
    {
        try
        {
            return args.Length == 0 ? Help() : args[0] switch
            {
                "child" when args.Length >= 4 => Child.Run(ChildOptions.Parse(args)),
                "soak" => Soak.Run(new CommandLine(args, 1), Console.Out),
                "compare" => Compare.Run(new CommandLine(args, 1), Console.Out),
                _ => Help(),
            };
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
    }

    private static int Help()
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
