using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FleetPods.Grains;

namespace FleetPods.Cli.Commands;

/// <summary><c>list-units</c>, <c>list-unit-files</c>, <c>list-pods</c>, <c>list-machines</c>.</summary>
public static class ListCommands
{
    public static IEnumerable<Command> Create()
    {
        var units = new Command("list-units", "Units that are loaded or launched, with their pods");
        units.SetClusterAction(async (context, cancellationToken) =>
        {
            var statuses = (await ReadRetry.Run(() => UnitStatuses(context.Cluster), cancellationToken)).Where(u => !u.IsTemplate && u.DesiredState != UnitDesiredState.Inactive).ToList();
            context.Output.Write(statuses, ["unit", "desired", "phase", "node", "pod", "description"], statuses.Select(u => (IReadOnlyList<string>)
                [u.Name, Names.Of(u.DesiredState), u.Pod is null ? "-" : Names.Of(u.Pod.Phase), u.Pod?.NodeName ?? "-", u.Pod?.Id ?? "-", u.Description ?? ""]));
            return 0;
        });
        yield return units;

        var files = new Command("list-unit-files", "Every submitted unit file");
        files.SetClusterAction(async (context, cancellationToken) =>
        {
            var statuses = await ReadRetry.Run(() => UnitStatuses(context.Cluster), cancellationToken);
            var hashes = await ReadRetry.Run(() => Task.WhenAll(statuses.Select(async u => ShortHash(await context.Cluster.GetGrain<IUnitGrain>(u.Name).GetText() ?? ""))), cancellationToken);
            context.Output.Write(statuses, ["unit", "hash", "desired", "template", "description"], statuses.Select((u, i) => (IReadOnlyList<string>)
                [u.Name, hashes[i], Names.Of(u.DesiredState), u.IsTemplate ? "yes" : "no", u.Description ?? ""]));
            return 0;
        });
        yield return files;

        var pods = new Command("list-pods", "Every pod, of units and of fleetpods run");
        pods.SetClusterAction(async (context, cancellationToken) =>
        {
            var statuses = await ReadRetry.Run(() => PodStatuses(context.Cluster), cancellationToken);
            context.Output.Write(statuses, ["pod", "unit", "image", "phase", "exit", "node", "created", "reason"], statuses.Select(p => (IReadOnlyList<string>)
                [p.Id, p.UnitName ?? "-", p.Image, Names.Of(p.Phase), p.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-", p.NodeName ?? "-", Names.Time(p.CreatedAt), p.Reason ?? ""]));
            return 0;
        });
        yield return pods;

        var machines = new Command("list-machines", "The nodes of the cluster: status, capacity, reservations, metadata");
        machines.SetClusterAction(async (context, cancellationToken) =>
        {
            // A node that is down still shows what it last announced, as nomad and kubectl show a node that is down or NotReady.
            var nodes = await ReadRetry.Run(() => context.Cluster.GetGrain<IClusterGrain>(IClusterGrain.Key).GetNodes(), cancellationToken);
            context.Output.Write(nodes.Select(MachineJson).ToList(), ["node", "status", "address", "cpu", "memory", "free memory", "pods", "stage1", "kvm accel", "metadata"], nodes.Select(node => node.Info is { } n
                ? (IReadOnlyList<string>)[n.Name, Names.Of(node.Liveness), n.Address, $"{n.FreeCpuMillis}m/{n.Capacity.CpuMillis}m", ByteCount.Format(n.Capacity.MemoryBytes),
                 ByteCount.Format(n.FreeMemoryBytes), n.PodCount.ToString(CultureInfo.InvariantCulture),
                 string.Join(",", n.Stage1Flavors), n.KvmAccelerator.Length == 0 ? "-" : n.KvmAccelerator, string.Join(",", n.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}"))]
                : [node.Name, Names.Of(node.Liveness), "-", "-", "-", "-", "-", "-", "-", ""]));
            return 0;
        });
        yield return machines;
    }

    // The node's fields as before, with its status beside them, so a script reads a machine the same whether it is up or down.
    private static JsonObject MachineJson(NodeStatus node)
    {
        var json = node.Info is { } info ? JsonSerializer.SerializeToNode(info, JsonSerializerOptions.Web)!.AsObject() : new JsonObject { ["name"] = node.Name };
        json["status"] = Names.Of(node.Liveness);
        return json;
    }

    private static async Task<List<UnitStatus>> UnitStatuses(IClusterClient cluster)
    {
        var names = await cluster.GetGrain<IRegistryGrain>(RegistryKind.Units).List();
        return [.. (await Task.WhenAll(names.Select(n => cluster.GetGrain<IUnitGrain>(n).GetStatus()))).OfType<UnitStatus>()];
    }

    private static async Task<List<PodStatus>> PodStatuses(IClusterClient cluster)
    {
        var ids = await cluster.GetGrain<IRegistryGrain>(RegistryKind.Pods).List();
        return [.. (await Task.WhenAll(ids.Select(id => cluster.GetGrain<IPodGrain>(id).GetStatus()))).OfType<PodStatus>().OrderBy(p => p.CreatedAt)];
    }

    private static string ShortHash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..7];
}
