using System.CommandLine;
using FleetPods.Grains;

namespace FleetPods.Cli.Commands;

/// <summary><c>image import PATH</c> and <c>image list</c>.</summary>
public static class ImageCommands
{
    public static Command Create()
    {
        var image = new Command("image", "Manage images in the nodes' stores");
        image.Subcommands.Add(Import());
        image.Subcommands.Add(List());
        return image;
    }

    private static Command Import()
    {
        var path = new Argument<string>("path") { Description = "An AppC image (.aci: a tar, optionally gzip-compressed)" };
        var node = new Option<string?>("--node") { Description = "The node whose store takes it; the path is read on that node (default: the only node)" };
        var command = new Command("import", "Import an image file into a node's store") { path, node };
        command.SetClusterAction(async (context, _) =>
        {
            var file = Path.GetFullPath(context.Parse.GetValue(path)!);
            var nodeName = context.Parse.GetValue(node) ?? await OnlyNode(context.Cluster);
            var imported = await context.Cluster.GetGrain<INodeGrain>(nodeName).ImportImage(file);
            context.Output.Say(imported, $"{imported.Digest}\t{imported.Name}");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "Images known to the cluster");
        command.SetClusterAction(async (context, _) =>
        {
            var digests = await context.Cluster.GetGrain<IRegistryGrain>(RegistryKind.Images).List();
            var images = (await Task.WhenAll(digests.Select(d => context.Cluster.GetGrain<IImageGrain>(d).GetInfo())))
                .OfType<ImageInfo>().OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
            context.Output.Write(images, ["name", "version", "digest", "size", "imported", "nodes"], images.Select(i => (IReadOnlyList<string>)
                [i.Name, i.Labels.GetValueOrDefault("version") ?? "-", ShortDigest(i.Digest), ByteCount.Format(i.SizeBytes), Names.Time(i.ImportedAt), string.Join(",", i.Nodes)]));
            return 0;
        });
        return command;
    }

    private static async Task<string> OnlyNode(IClusterClient cluster)
    {
        var nodes = await cluster.GetGrain<IRegistryGrain>(RegistryKind.Nodes).List();
        return nodes.Count switch
        {
            1 => nodes[0],
            0 => throw new CliException("no node has joined the cluster"),
            _ => throw new CliException($"the cluster has {nodes.Count} nodes; say which one reads the file with --node"),
        };
    }

    // rkt shortened digests the same way in its tables: algorithm plus the first 12 hex digits.
    private static string ShortDigest(string digest)
    {
        var dash = digest.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && digest.Length > dash + 13 ? digest[..(dash + 13)] : digest;
    }
}
