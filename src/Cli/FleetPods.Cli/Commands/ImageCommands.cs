using System.CommandLine;
using FleetPods.Grains;
using Spectre.Console;

namespace FleetPods.Cli.Commands;

/// <summary>rkt's image commands against the nodes' stores: import, fetch, list, rm, gc, export, extract, cat-manifest.</summary>
public static class ImageCommands
{
    private static readonly Option<string?> Node = new("--node") { Description = "The node whose store to use (default: the only node)" };

    // How long each node may take to list its store, and to remove what it collects.
    private static readonly TimeSpan ListWithin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CollectWithin = TimeSpan.FromSeconds(25);

    public static Command Create()
    {
        var image = new Command("image", "Manage images in the nodes' stores");
        foreach (var command in new[] { Import(), Fetch(), List(), Remove(), CollectGarbage(), Export(), Extract(), CatManifest() })
        {
            image.Subcommands.Add(command);
        }

        return image;
    }

    private static Command Import()
    {
        var path = new Argument<string>("path") { Description = "An ACI (tar, tar.gz, tar.bz2, tar.xz), an OCI image layout (directory or tar) or a docker archive, on that node's disk" };
        var (reference, name, digest) = ImportOptions();
        var command = new Command("import", "Import an image file into a node's store") { path, Node, reference, name, digest };
        command.SetClusterAction(async (context, _) =>
        {
            var request = new ImageImportRequest(Path.GetFullPath(context.Parse.GetValue(path)!), context.Parse.GetValue(reference), context.Parse.GetValue(name), context.Parse.GetValue(digest));
            var store = await Store(context);
            var imported = await store.Import(request);
            context.Output.Say(imported, $"{imported.Digest}\t{imported.Name}");
            return 0;
        });
        return command;
    }

    private static Command Fetch()
    {
        var url = new Argument<string>("url") { Description = "http://, https:// or file:// URL of an image archive" };
        var (reference, name, digest) = ImportOptions();
        var command = new Command("fetch", "Download an image into a node's store, with retries and resumption") { url, Node, reference, name, digest };
        command.SetClusterAction(async (context, cancellationToken) =>
        {
            var request = new ImageFetchRequest(context.Parse.GetValue(url)!, Guid.NewGuid().ToString("N"), context.Parse.GetValue(digest), context.Parse.GetValue(reference), context.Parse.GetValue(name));
            var store = await Store(context);
            var fetch = store.Fetch(request);
            ImageInfo fetched;
            if (Console.IsErrorRedirected || context.Parse.GetValue(GlobalOptions.Output) == OutputFormat.Json)
            {
                fetched = await fetch;
            }
            else
            {
                fetched = await ShowProgress(store, request, fetch, cancellationToken);
            }

            context.Output.Say(fetched, $"{fetched.Digest}\t{fetched.Name}");
            return 0;
        });
        return command;
    }

    // The download runs on the node; its progress is polled, so a person sees it whichever machine the CLI runs on.
    private static async Task<ImageInfo> ShowProgress(IImageStoreGrain store, ImageFetchRequest request, Task<ImageInfo> fetch, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Path.GetFileName(request.Url), maxValue: 1);
                while (!fetch.IsCompleted)
                {
                    if (await store.GetFetchProgress(request.FetchId) is { } now)
                    {
                        task.MaxValue = now.TotalBytes ?? Math.Max(now.ReceivedBytes, 1);
                        task.Value = now.ReceivedBytes;
                        task.Description = now.Attempt > 1 ? $"{Path.GetFileName(request.Url)} (try {now.Attempt})" : Path.GetFileName(request.Url);
                    }

                    await Task.WhenAny(fetch, Task.Delay(200, cancellationToken));
                }

                if (fetch.IsCompletedSuccessfully)
                {
                    task.Value = task.MaxValue;
                }
            });
        return await fetch;
    }

    private static Command List()
    {
        var command = new Command("list", "Images in the nodes' stores: name, digest, size, when last used") { Node };
        command.SetClusterAction(async (context, cancellationToken) =>
        {
            var answers = await EveryNode.Ask(context.Cluster, context.Parse.GetValue(Node), ListWithin, n => context.Cluster.GetGrain<IImageStoreGrain>(n).List(), cancellationToken);
            var images = answers.Answers.SelectMany(a => a.Answer).OrderBy(i => i.Name, StringComparer.Ordinal).ThenBy(i => i.Node, StringComparer.Ordinal).ToList();
            answers.WarnSkipped("its images are not listed");
            context.Output.Write(new { Images = images, answers.Skipped }, ["name", "version", "digest", "format", "size", "imported", "last used", "node"], images.Select(i => (IReadOnlyList<string>)
                [i.Name, i.Labels.GetValueOrDefault("version") ?? "-", ShortDigest(i.Digest), i.Format, ByteCount.Format(i.SizeBytes), Names.Time(i.ImportedAt), Names.Time(i.LastUsedAt), i.Node]));
            return 0;
        });
        return command;
    }

    private static Command Remove()
    {
        var images = new Argument<string[]>("image") { Description = "Name, name:version or digest", Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove images from a node's store (refused while a pod on that node uses one)") { images, Node };
        command.SetClusterAction(async (context, _) =>
        {
            var store = await Store(context);
            var failed = 0;
            foreach (var image in context.Parse.GetValue(images)!)
            {
                try
                {
                    var removed = await store.Remove(image);
                    context.Output.Say(removed, $"removed {removed.Digest}\t{removed.Name}");
                }
                catch (FleetPodsException ex)
                {
                    await Console.Error.WriteLineAsync($"fleetpods: {ex.Message}");
                    failed++;
                }
            }

            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command CollectGarbage()
    {
        var grace = GracePeriod(TimeSpan.FromHours(24), "Remove images no pod has used for longer than this");
        var command = new Command("gc", "Remove images unused for longer than the grace period, on every node that is up (or --node)") { grace, Node };
        command.SetClusterAction(async (context, cancellationToken) =>
        {
            var answers = await EveryNode.Ask(context.Cluster, context.Parse.GetValue(Node), CollectWithin,
                n => context.Cluster.GetGrain<IImageStoreGrain>(n).CollectGarbage(context.Parse.GetValue(grace)), cancellationToken);
            var removed = answers.Answers.SelectMany(a => a.Answer).ToList();
            answers.WarnSkipped("its images were not collected");
            context.Output.Write(new { Removed = removed, answers.Skipped }, ["removed", "digest", "node"], removed.Select(i => (IReadOnlyList<string>)[i.Name, ShortDigest(i.Digest), i.Node]));
            return 0;
        });
        return command;
    }

    private static Command Export()
    {
        var image = new Argument<string>("image") { Description = "Name, name:version or digest" };
        var path = new Argument<string>("path") { Description = "A new file on that node" };
        var command = new Command("export", "Write an image as an archive: an ACI as imported, an OCI layout tar, or a docker archive") { image, path, Node };
        command.SetClusterAction(async (context, _) =>
        {
            var target = Path.GetFullPath(context.Parse.GetValue(path)!);
            await (await Store(context)).Export(context.Parse.GetValue(image)!, target);
            context.Output.Say(target, $"exported to {target}");
            return 0;
        });
        return command;
    }

    private static Command Extract()
    {
        var image = new Argument<string>("image") { Description = "Name, name:version or digest" };
        var path = new Argument<string>("path") { Description = "A new directory on that node" };
        var rootfsOnly = new Option<bool>("--rootfs-only") { Description = "Write only the root filesystem, not the manifest beside it" };
        var command = new Command("extract", "Write an image's merged root filesystem (and manifest) into a new directory") { image, path, rootfsOnly, Node };
        command.SetClusterAction(async (context, _) =>
        {
            var target = Path.GetFullPath(context.Parse.GetValue(path)!);
            await (await Store(context)).Extract(context.Parse.GetValue(image)!, target, context.Parse.GetValue(rootfsOnly));
            context.Output.Say(target, $"extracted to {target}");
            return 0;
        });
        return command;
    }

    private static Command CatManifest()
    {
        var image = new Argument<string>("image") { Description = "Name, name:version or digest" };
        var command = new Command("cat-manifest", "Print an image's manifest as stored") { image, Node };
        command.SetClusterAction(async (context, cancellationToken) =>
        {
            var manifest = await (await Store(context)).ReadManifest(context.Parse.GetValue(image)!);
            await using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(manifest, cancellationToken);
            return 0;
        });
        return command;
    }

    private static (Option<string?> Reference, Option<string?> Name, Option<string?> Digest) ImportOptions() => (
        new Option<string?>("--ref") { Description = "Which image of an OCI layout (ref name) or docker archive (repo tag), if it holds several" },
        new Option<string?>("--name") { Description = "The name to store an OCI or docker image under (default: its repo tag or file name)" },
        new Option<string?>("--digest") { Description = "Refuse the image unless its id is this digest (sha512-… for an ACI, sha256-… otherwise)" });

    public static Option<TimeSpan> GracePeriod(TimeSpan fallback, string description) => new("--grace-period")
    {
        Description = $"{description}, e.g. 30m, 24h",
        DefaultValueFactory = _ => fallback,
        CustomParser = result => Durations.Parse(result),
    };

    private static async Task<IImageStoreGrain> Store(CommandContext context) =>
        context.Cluster.GetGrain<IImageStoreGrain>(context.Parse.GetValue(Node) ?? await OnlyNode(context.Cluster));

    private static async Task<string> OnlyNode(IClusterClient cluster)
    {
        var nodes = await cluster.GetGrain<IRegistryGrain>(RegistryKind.Nodes).List();
        return nodes.Count switch
        {
            1 => nodes[0],
            0 => throw new CliException("no node has joined the cluster"),
            _ => throw new CliException($"the cluster has {nodes.Count} nodes; say which one with --node"),
        };
    }

    // rkt shortened digests the same way in its tables: algorithm plus the first 12 hex digits.
    private static string ShortDigest(string digest)
    {
        var dash = digest.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && digest.Length > dash + 13 ? digest[..(dash + 13)] : digest;
    }
}
