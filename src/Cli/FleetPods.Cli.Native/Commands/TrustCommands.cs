using System.CommandLine;
using System.Text;
using System.Text.Json;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// rkt's <c>trust</c>: <c>trust --prefix P KEY.asc</c> (or <c>--root</c>), <c>trust list</c>, <c>trust rm
/// FINGERPRINT|--prefix P</c>. The key file is read here, as the caller, and sent: the daemon never reads a file the
/// caller names. Only a public key ever leaves this machine: a file holding a private one is refused before sending.
/// </summary>
internal static class TrustCommands
{
    private const int MaxKeyFileBytes = 64 * 1024;

    public static Command Create()
    {
        var key = new Argument<string?>("key") { Description = "An ASCII-armored OpenPGP public key file (gpg --armor --export ID > KEY.asc)", Arity = ArgumentArity.ZeroOrOne };
        var (prefix, root) = PrefixOptions("Trust the key for images whose names are PREFIX or lie below it, e.g. example.com/app", "Trust the key for every image name");
        var command = new Command("trust", "Trust a key to sign the images under a name prefix (admin), or list or remove trusted keys") { key, prefix, root };
        command.Subcommands.Add(List());
        command.Subcommands.Add(Remove());
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var path = context.Parse.GetValue(key) ?? throw new CliException("trust: name the key file (trust --prefix PREFIX KEY.asc), or use 'trust list' or 'trust rm'");
            var query = Query(context.Parse.GetValue(prefix), context.Parse.GetValue(root), "trust --prefix PREFIX KEY.asc, or trust --root KEY.asc");
            var body = new StringContent(ReadPublicKey(path), Encoding.UTF8, "application/pgp-keys");
            var trusted = await context.Api.Call(HttpMethod.Post, $"v1/trust{query}", body, cancellationToken);
            context.Output.Say(CommandOutput.Node(trusted), $"trusted {trusted.Text("fingerprint")} ({string.Join(", ", trusted.Items("userIds").Select(u => u.GetString()))}) for {PrefixText(trusted)}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "The keys trusted to sign images, by prefix");
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var keys = await context.Api.GetJson("v1/trust", cancellationToken);
            Table(context, keys);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var fingerprint = new Argument<string?>("fingerprint") { Description = "The fingerprint of the key to stop trusting, for every prefix (as 'trust list' shows it)", Arity = ArgumentArity.ZeroOrOne };
        var (prefix, root) = PrefixOptions("Stop trusting every key trusted for exactly this prefix", "Stop trusting the keys trusted for every name");
        var command = new Command("rm", "Stop trusting a key (admin)") { fingerprint, prefix, root };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var removed = context.Parse.GetValue(fingerprint) is { } named
                ? context.Parse.GetValue(prefix) is null && !context.Parse.GetValue(root)
                    ? await context.Api.Call(HttpMethod.Delete, $"v1/trust/{ApiClient.Escape(named.Replace(" ", "", StringComparison.Ordinal))}", null, cancellationToken)
                    : throw new CliException("trust rm: give a fingerprint or --prefix/--root, not both")
                : await context.Api.Call(HttpMethod.Delete, $"v1/trust{Query(context.Parse.GetValue(prefix), context.Parse.GetValue(root), "trust rm FINGERPRINT, or trust rm --prefix PREFIX")}", null, cancellationToken);
            Table(context, removed, "removed ");
            return ExitCodes.Success;
        });
        return command;
    }

    private static (Option<string?> Prefix, Option<bool> Root) PrefixOptions(string prefix, string root) => (
        new Option<string?>("--prefix") { Description = prefix },
        new Option<bool>("--root") { Description = root });

    private static string Query(string? prefix, bool root, string usage) => (prefix, root) switch
    {
        ({ } named, false) => ApiClient.Query(("prefix", named)),
        (null, true) => ApiClient.Query(("root", "true")),
        (null, false) => throw new CliException($"say which names: {usage}"),
        _ => throw new CliException("give --prefix or --root, not both"),
    };

    private static void Table(CommandContext context, JsonElement keys, string verb = "") =>
        context.Output.Table(CommandOutput.Node(keys), [verb + "prefix", "fingerprint", "user ids", "added by", "added"], keys.Items().Select(k => (IReadOnlyList<string>)
            [PrefixText(k), k.Text("fingerprint", ""), string.Join(", ", k.Items("userIds").Select(u => u.GetString())), k.Text("addedBy", ""), k.Time("addedAt")]));

    private static string PrefixText(JsonElement key) => key.Text("prefix") is { Length: > 0 } prefix ? prefix : "(every name: --root)";

    private static string ReadPublicKey(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxKeyFileBytes)
            {
                throw new CliException($"{path}: larger than {MaxKeyFileBytes} bytes: not one public key");
            }

            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {ex.Message}");
        }

        if (text.Contains("PRIVATE KEY BLOCK", StringComparison.Ordinal))
        {
            throw new CliException($"{path}: this is a private key, and it was not sent; give the public one (gpg --armor --export ID)");
        }

        return text.Contains("-----BEGIN PGP PUBLIC KEY BLOCK-----", StringComparison.Ordinal)
            ? text
            : throw new CliException($"{path}: not an ASCII-armored OpenPGP public key (gpg --armor --export ID > {Path.GetFileName(path)} writes one)");
    }
}
