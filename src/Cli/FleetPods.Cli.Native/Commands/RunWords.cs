namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// The words of <c>run [FLAGS] IMAGE... [-- COMMAND [ARGS...]]</c> as the daemon parses them (with the same code as
/// ever, RunCommandLine): everything after <c>run</c>, <c>--</c> included, except this command's own global options
/// before the <c>--</c>. The native command knows only these options, never run's flags.
/// </summary>
internal static class RunWords
{
    private static readonly string[] WithValue = ["--endpoint", "--output", "-o", "--client-cert", "--client-key", "--ca-cert"];

    /// <summary>The words after <c>run</c>, or null when the command line is not a run.</summary>
    public static IReadOnlyList<string>? From(IReadOnlyList<string> arguments)
    {
        var words = new List<string>();
        var sawRun = false;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument == "--")
            {
                if (!sawRun)
                {
                    return null;
                }

                words.AddRange(arguments.Skip(i));
                break;
            }

            if (IsGlobalOption(argument, out var inline))
            {
                i += inline ? 0 : 1;
            }
            else if (sawRun)
            {
                words.Add(argument);
            }
            else if (argument == "run")
            {
                sawRun = true;
            }
            else
            {
                return null;
            }
        }

        return sawRun ? words : null;
    }

    // "--endpoint X", "--endpoint=X" or "--endpoint:X", as System.CommandLine takes them.
    private static bool IsGlobalOption(string argument, out bool inline)
    {
        foreach (var option in WithValue)
        {
            if (argument == option)
            {
                inline = false;
                return true;
            }

            if (argument.Length > option.Length && argument.StartsWith(option, StringComparison.Ordinal) && argument[option.Length] is '=' or ':')
            {
                inline = true;
                return true;
            }
        }

        inline = false;
        return false;
    }
}
