using System.CommandLine;
using System.Text.Json.Nodes;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Images;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// rkt's image commands against the nodes' stores: import, fetch, list, rm, gc, export, extract, cat-manifest. Paths
/// are the caller's: an import reads its file here and sends it, an export or extract writes here what the API sends.
/// </summary>
internal static class ImageCommands
{
    private static readonly Option<string?> Node = new("--node") { Description = "The node whose store to use (default: the only node)" };

    public static Command Create()
    {
        var image = new Command("image", "Manage images in the nodes' stores");
        foreach (var command in new[] { Import(), ImageFetch.Create(Node), List(), Remove(), CollectGarbage(), Export(), Extract(), CatManifest() })
        {
            image.Subcommands.Add(command);
        }

        return image;
    }

    public static (Option<string?> Reference, Option<string?> Name, Option<string?> Digest) ImportOptions() => (
        new Option<string?>("--ref") { Description = "Which image of an OCI layout (ref name) or docker archive (repo tag), if it holds several" },
        new Option<string?>("--name") { Description = "The name to store an OCI or docker image under (default: its repo tag or file name)" },
        new Option<string?>("--digest") { Description = "Refuse the image unless its id is this digest (sha512-… for an ACI, sha256-… otherwise)" });

    public static Option<TimeSpan> GracePeriod(TimeSpan fallback, string description) => new("--grace-period")
    {
        Description = $"{description}, e.g. 30m, 24h",
        DefaultValueFactory = _ => fallback,
        CustomParser = Durations.Parse,
    };

    private static Command Import()
    {
        var path = new Argument<string>("path") { Description = "An ACI (tar, tar.gz, tar.bz2, tar.xz), an OCI image layout (directory or tar) or a docker archive, read here and sent to the node" };
        var (reference, name, digest) = ImportOptions();
        var command = new Command("import", "Import an image file into a node's store") { path, Node, reference, name, digest };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var source = Path.GetFullPath(context.Parse.GetValue(path)!);
            HttpContent body;
            if (Directory.Exists(source))
            {
                body = new DirectoryTarContent(source);
            }
            else
            {
                try
                {
                    body = new StreamContent(File.OpenRead(source));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new CliException($"cannot read {source}: {ex.Message}");
                }
            }

            body.Headers.ContentType = new("application/octet-stream");
            // The file's name names an OCI or docker image that has no name of its own, as it did when the node read the path.
            var query = ApiClient.Query(
                ("node", context.Parse.GetValue(Node)), ("ref", context.Parse.GetValue(reference)), ("name", context.Parse.GetValue(name)), ("digest", context.Parse.GetValue(digest)),
                ("filename", Path.GetFileName(Path.TrimEndingDirectorySeparator(source))));
            var imported = await context.Api.Call(HttpMethod.Post, $"v1/images{query}", body, cancellationToken);
            context.Output.Say(CommandOutput.Node(imported), $"{imported.Text("digest")}\t{imported.Text("name")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "Images in the nodes' stores: name, digest, size, when last used") { Node };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var answer = await context.Api.GetJson($"v1/images{ApiClient.Query(("node", context.Parse.GetValue(Node)))}", cancellationToken);
            var images = answer.Items("images").OrderBy(i => i.Text("name", ""), StringComparer.Ordinal).ThenBy(i => i.Text("node", ""), StringComparer.Ordinal);
            SkippedNodes.Warn(answer, "its images are not listed");
            context.Output.Table(CommandOutput.Node(answer), ["name", "version", "digest", "format", "size", "imported", "last used", "node"], images.Select(i => (IReadOnlyList<string>)
                [i.Text("name", ""), i.Field("labels")?.Text("version") ?? "-", ShortDigest(i.Text("digest", "")), i.Text("format", ""), ByteCount.Format(i.Number("sizeBytes")), i.Time("importedAt"), i.Time("lastUsedAt"), i.Text("node", "")]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var images = new Argument<string[]>("image") { Description = "Name, name:version or digest", Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove images from a node's store (refused while a pod on that node uses one)") { images, Node };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var failed = 0;
            foreach (var image in context.Parse.GetValue(images)!)
            {
                try
                {
                    var removed = await context.Api.SendJson(HttpMethod.Delete, $"v1/images/{ApiClient.Escape(image)}{ApiClient.Query(("node", context.Parse.GetValue(Node)))}", null, cancellationToken);
                    context.Output.Say(
                        removed is { } json ? CommandOutput.Node(json) : new JsonObject { ["image"] = image, ["removed"] = true },
                        removed is { } info ? $"removed {info.Text("digest")}\t{info.Text("name")}" : $"removed {image}");
                }
                catch (ApiException ex)
                {
                    await Console.Error.WriteLineAsync($"fleetpods: {ex.Message}");
                    failed++;
                }
            }

            return failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command CollectGarbage()
    {
        var grace = GracePeriod(TimeSpan.FromHours(24), "Remove images no pod has used for longer than this");
        var command = new Command("gc", "Remove images unused for longer than the grace period, on every node that is up (or --node)") { grace, Node };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var query = ApiClient.Query(("gracePeriod", DurationText.ToQuery(context.Parse.GetValue(grace))), ("node", context.Parse.GetValue(Node)));
            var answer = await context.Api.Call(HttpMethod.Post, $"v1/images/gc{query}", null, cancellationToken);
            SkippedNodes.Warn(answer, "its images were not collected");
            context.Output.Table(CommandOutput.Node(answer), ["removed", "digest", "node"], answer.Items("removed").Select(i => (IReadOnlyList<string>)
                [i.Text("name", ""), ShortDigest(i.Text("digest", "")), i.Text("node") ?? string.Join(",", i.Items("nodes").Select(n => n.GetString()))]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Export()
    {
        var image = new Argument<string>("image") { Description = "Name, name:version or digest" };
        var path = new Argument<string>("path") { Description = "A new file, written here as you" };
        var command = new Command("export", "Write an image as an archive: an ACI as imported, an OCI layout tar, or a docker archive") { image, path, Node };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var target = Path.GetFullPath(context.Parse.GetValue(path)!);
            if (Path.Exists(target))
            {
                throw new CliException($"{target} already exists");
            }

            var request = new HttpRequestMessage(HttpMethod.Get, $"v1/images/{ApiClient.Escape(context.Parse.GetValue(image)!)}/archive{ApiClient.Query(("node", context.Parse.GetValue(Node)))}");
            using var response = await context.Api.Send(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await using var archive = await response.Content.ReadAsStreamAsync(cancellationToken);
            await ExportFile.Write(archive, target, cancellationToken);
            context.Output.Say(JsonValue.Create(target), $"exported to {target}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Extract()
    {
        var image = new Argument<string>("image") { Description = "Name, name:version or digest" };
        var path = new Argument<string>("path") { Description = "A new directory, written here as you" };
        var rootfsOnly = new Option<bool>("--rootfs-only") { Description = "Write only the root filesystem, not the manifest beside it" };
        var command = new Command("extract", "Write an image's merged root filesystem (and manifest) into a new directory") { image, path, rootfsOnly, Node };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var target = Path.GetFullPath(context.Parse.GetValue(path)!);
            if (Path.Exists(target))
            {
                throw new CliException($"{target} already exists");
            }

            var query = ApiClient.Query(("node", context.Parse.GetValue(Node)), ("rootfsOnly", context.Parse.GetValue(rootfsOnly) ? "true" : "false"));
            var request = new HttpRequestMessage(HttpMethod.Get, $"v1/images/{ApiClient.Escape(context.Parse.GetValue(image)!)}/rootfs{query}");
            using var response = await context.Api.Send(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await using var tar = await response.Content.ReadAsStreamAsync(cancellationToken);
            await TarExtraction.Extract(tar, target, cancellationToken);
            context.Output.Say(JsonValue.Create(target), $"extracted to {target}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CatManifest()
    {
        var image = new Argument<string>("image") { Description = "Name, name:version or digest" };
        var command = new Command("cat-manifest", "Print an image's manifest as stored") { image, Node };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"v1/images/{ApiClient.Escape(context.Parse.GetValue(image)!)}/manifest{ApiClient.Query(("node", context.Parse.GetValue(Node)))}");
            using var response = await context.Api.Send(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            await using var stdout = Console.OpenStandardOutput();
            await response.Content.CopyToAsync(stdout, cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    // rkt shortened digests the same way in its tables: algorithm plus the first 12 hex digits.
    private static string ShortDigest(string digest)
    {
        var dash = digest.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && digest.Length > dash + 13 ? digest[..(dash + 13)] : digest;
    }
}
