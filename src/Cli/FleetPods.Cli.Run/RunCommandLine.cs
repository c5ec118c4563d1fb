using System.CommandLine;
using System.CommandLine.Parsing;
using FleetPods.Grains;

namespace FleetPods.Cli;

/// <summary>
/// The command line of <c>run [FLAGS] IMAGE... [-- COMMAND [ARGS...]]</c>, as <c>rkt run</c>'s: every word before
/// <c>--</c> is an image and makes an app, every word after it is the first app's command. fleetpodsd parses the
/// words the <c>fleetpods</c> command sends in <c>POST /v1/run</c>.
/// </summary>
public sealed class RunCommandLine
{
    private readonly Argument<string[]> words = new("image") { Description = "Image names or digests (one app each), then -- and the first app's command", Arity = ArgumentArity.OneOrMore };
    private readonly RunFlags flags = new();

    public RunCommandLine()
    {
        Command = new Command("run", "Run a one-off pod and stream its output; exits with the app's exit code") { words };
        flags.AddTo(Command);
    }

    public Command Command { get; }

    /// <summary>Parses the words after <c>run</c>, as the CLI would.</summary>
    /// <exception cref="CliException">They are not a valid <c>run</c>; the message gives every error.</exception>
    public PodSpec Parse(IReadOnlyList<string> arguments)
    {
        // "@file" would otherwise be read as a response file, and a pod's argv may start with '@'.
        var parse = Command.Parse(arguments, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            throw new CliException($"run: {string.Join("; ", parse.Errors.Select(e => e.Message))} (see fleetpods run --help)");
        }

        return ToSpec(parse);
    }

    /// <summary>The pod a parsed <c>run</c> describes.</summary>
    /// <exception cref="CliException">A flag's value is not valid, or no image comes before --.</exception>
    public PodSpec ToSpec(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var (images, command) = SplitCommand(parse, parse.GetValue(words)!);
        return flags.ToSpec(parse, images, command);
    }

    // As rkt's: every word before -- is an image (one app each), every word after it the first app's command.
    private static (string[] Images, string[]? Command) SplitCommand(ParseResult parse, string[] words)
    {
        var tokens = parse.Tokens.ToList();
        var dash = tokens.FindIndex(t => t.Type == TokenType.DoubleDash);
        var command = dash >= 0 ? tokens.Skip(dash + 1).Select(t => t.Value).ToArray() : [];
        var images = words[..(words.Length - command.Length)];
        if (images.Length == 0)
        {
            throw new CliException("run needs an image before --");
        }

        return (images, command.Length > 0 ? command : null);
    }
}
