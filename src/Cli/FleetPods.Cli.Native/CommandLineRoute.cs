using System.Net;

namespace FleetPods.Cli.Native;

/// <summary>
/// Which command lines the native command runs itself: <c>run</c> aimed at a single gateway on this machine, whose
/// fleetpodsd listens on <see cref="LocalRunProtocol.SocketPath"/>. Everything else (other commands, help, several
/// or remote endpoints, anything it does not recognise before the command) goes to the cluster client unchanged, which
/// also gives the errors; this only has to know the global options, never the commands.
/// </summary>
internal sealed record CommandLineRoute(string SocketPath, IReadOnlyList<string> RunArguments)
{
    /// <summary>The local run this command line asks for, or null when the cluster client should take it.</summary>
    /// <param name="environmentEndpoints"><c>$FLEETPODS_ENDPOINT</c>: comma-separated gateways, or null.</param>
    public static CommandLineRoute? LocalRun(IReadOnlyList<string> arguments, string? environmentEndpoints)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var endpoints = new List<string>();
        var run = new List<string>();
        var sawRun = false;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument == "--")
            {
                run.AddRange(arguments.Skip(i));
                break;
            }

            if (GlobalOption(argument) is { } option)
            {
                var value = option.Inline ?? (i + 1 < arguments.Count ? arguments[++i] : null);
                if (value is null)
                {
                    return null;
                }

                if (option.Name == "--endpoint")
                {
                    endpoints.Add(value);
                }
            }
            else if (argument is "-h" or "--help" or "-?" or "--version")
            {
                return null;
            }
            else if (sawRun)
            {
                run.Add(argument);
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

        if (!sawRun)
        {
            return null;
        }

        if (endpoints.Count == 0)
        {
            endpoints.AddRange(environmentEndpoints is { Length: > 0 }
                ? environmentEndpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [LocalRunProtocol.DefaultEndpoint]);
        }

        return endpoints.Count == 1 && LoopbackPort(endpoints[0]) is { } port
            ? new CommandLineRoute(LocalRunProtocol.SocketPath(port), run)
            : null;
    }

    // --endpoint and --output (-o) are the CLI's global options, each with a value: "--endpoint X", "--endpoint=X" or "--endpoint:X".
    private static (string Name, string? Inline)? GlobalOption(string argument)
    {
        foreach (var (name, aliases) in new[] { ("--endpoint", new[] { "--endpoint" }), ("--output", ["--output", "-o"]) })
        {
            foreach (var alias in aliases)
            {
                if (argument == alias)
                {
                    return (name, null);
                }

                if (argument.Length > alias.Length && argument.StartsWith(alias, StringComparison.Ordinal) && argument[alias.Length] is '=' or ':')
                {
                    return (name, argument[(alias.Length + 1)..]);
                }
            }
        }

        return null;
    }

    private static int? LoopbackPort(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
        {
            return null;
        }

        var host = endpoint[..colon].Trim('[', ']');
        return host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address)) ? port : null;
    }
}
