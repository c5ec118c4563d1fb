using System.CommandLine;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Images;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// Registry pull secrets, as Kubernetes' imagePullSecrets: <c>secret set-registry HOST</c> stores the credentials your
/// docker config holds for HOST (or <c>--creds-file</c>'s) in the cluster, for the nodes that pull units'
/// <c>docker://</c> images; <c>secret list</c> shows hosts and users, never passwords; <c>secret rm HOST</c>. Admin only.
/// </summary>
internal static class SecretCommands
{
    public static Command Create()
    {
        var secret = new Command("secret", "Registry pull secrets the nodes use for units' docker:// images (admin)");
        secret.Subcommands.Add(SetRegistry());
        secret.Subcommands.Add(List());
        secret.Subcommands.Add(Remove());
        return secret;
    }

    private static Command SetRegistry()
    {
        var host = new Argument<string>("host") { Description = "The registry, as docker:// references name it: HOST or HOST:PORT (docker.io for Docker Hub)" };
        var credsFile = new Option<string?>("--creds-file") { Description = "The docker config to take HOST's credentials from (default: $DOCKER_CONFIG/config.json, ~/.docker/config.json)" };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM CA certificate(s) the registry's certificate must chain to, instead of the system's" };
        var insecure = new Option<bool>("--insecure") { Description = "The nodes reach the registry over plain HTTP" };
        var command = new Command("set-registry", "Store the credentials your docker config holds for a registry, for the nodes to pull units' images with") { host, credsFile, caFile, insecure };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var registry = context.Parse.GetValue(host)!;
            var (user, password) = DockerCredentials.Find(registry, context.Parse.GetValue(credsFile))
                ?? throw new CliException($"no credentials for {registry} in {context.Parse.GetValue(credsFile) ?? "your docker config"}: 'docker login {registry}' writes them, or name a config with --creds-file");
            var ca = context.Parse.GetValue(caFile) is { } caPath ? ImageFetch.ReadCaFile(caPath) : null;
            var body = ApiClient.Json(json =>
            {
                json.WriteStartObject();
                json.WriteString("username", user);
                json.WriteString("password", password);
                json.WriteString("caCertificates", ca);
                json.WriteBoolean("insecure", context.Parse.GetValue(insecure));
                json.WriteEndObject();
            });
            var stored = await context.Api.Call(HttpMethod.Put, $"v1/registry-secrets/{ApiClient.Escape(registry)}", body, cancellationToken);
            context.Output.Say(CommandOutput.Node(stored), $"pull secret for {stored.Text("host")} set (user {stored.Text("username")})");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "The registries with a pull secret: host, user, CA, plain HTTP; never the password");
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var secrets = await context.Api.GetJson("v1/registry-secrets", cancellationToken);
            context.Output.Table(CommandOutput.Node(secrets), ["registry", "user", "ca", "http", "added by", "added"], secrets.Items().Select(s => (IReadOnlyList<string>)
                [s.Text("host", ""), s.Text("username", ""), s.Flag("hasCaCertificates") ? "own" : "system", s.Flag("insecure") ? "plain" : "https", s.Text("addedBy", ""), s.Time("addedAt")]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var host = new Argument<string>("host") { Description = "The registry whose pull secret to remove" };
        var command = new Command("rm", "Remove a registry's pull secret") { host };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var removed = await context.Api.Call(HttpMethod.Delete, $"v1/registry-secrets/{ApiClient.Escape(context.Parse.GetValue(host)!)}", null, cancellationToken);
            context.Output.Say(CommandOutput.Node(removed), $"removed the pull secret for {removed.Text("host")}");
            return ExitCodes.Success;
        });
        return command;
    }
}
