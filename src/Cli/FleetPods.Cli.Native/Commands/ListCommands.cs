using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary><c>list-units</c>, <c>list-unit-files</c>, <c>list-pods</c>, <c>list-machines</c>: tables made from the API's JSON, which <c>-o json</c> prints.</summary>
internal static class ListCommands
{
    public static IEnumerable<Command> Create()
    {
        var units = new Command("list-units", "Units that are loaded or launched, with their pods");
        units.SetApiAction(async (context, cancellationToken) =>
        {
            var all = await PagedListing.ReadAll(context.Api, "v1/units", cancellationToken);
            var shown = all.Items().Where(u => !u.Flag("isTemplate") && u.Text("desiredState") != "inactive").ToList();
            context.Output.Table(new JsonArray([.. shown.Select(CommandOutput.Node)]), UnitListing.Headers, shown.Select(UnitListing.Row));
            return ExitCodes.Success;
        });
        yield return units;

        var files = new Command("list-unit-files", "Every submitted unit file");
        files.SetApiAction(async (context, cancellationToken) =>
        {
            var all = await context.Api.GetJson("v1/unit-files", cancellationToken);
            context.Output.Table(CommandOutput.Node(all), ["unit", "hash", "desired", "template", "description"], all.Items().Select(u => (IReadOnlyList<string>)
                [u.Text("name", ""), u.Text("hash", ""), u.Text("desiredState", "-"), u.Flag("isTemplate") ? "yes" : "no", u.Text("description", "")]));
            return ExitCodes.Success;
        });
        yield return files;

        var node = new Option<string?>("--node") { Description = "Only the pods this node holds (placed there and not ended)" };
        var unit = new Option<string?>("--unit") { Description = "Only the pods of this unit (web or web.pod)" };
        var phase = new Option<string?>("--phase") { Description = "Only the pods in this phase: pending, preparing, running, exited or failed" };
        phase.AcceptOnlyFromAmong("pending", "preparing", "running", "exited", "failed");
        var pods = new Command("list-pods", "Every pod, of units and of fleetpods run, oldest first") { node, unit, phase };
        pods.SetApiAction(async (context, cancellationToken) =>
        {
            var query = ApiClient.Query(
                ("node", context.Parse.GetValue(node)),
                ("unit", context.Parse.GetValue(unit) is { } u ? UnitArguments.ToUnitName(u) : null),
                ("phase", context.Parse.GetValue(phase)));
            var all = await PagedListing.ReadAll(context.Api, $"v1/pods{query}", cancellationToken);

            // The API pages in id order; people and scripts read pods oldest first, as before it paged.
            var oldestFirst = all.Items().OrderBy(p => DateTimeOffset.TryParse(p.Text("createdAt"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : DateTimeOffset.MinValue).ThenBy(p => p.Text("id"), StringComparer.Ordinal).ToList();
            context.Output.Table(new JsonArray([.. oldestFirst.Select(CommandOutput.Node)]), ["pod", "unit", "image", "phase", "exit", "node", "created", "reason"], oldestFirst.Select(p => (IReadOnlyList<string>)
                [p.Text("id", ""), p.Text("unitName", "-"), p.Text("image", ""), p.Text("phase", "-"), p.Text("exitCode", "-"), p.Text("nodeName", "-"), p.Time("createdAt"), p.Text("reason", "")]));
            return ExitCodes.Success;
        });
        yield return pods;

        var machines = new Command("list-machines", "The nodes of the cluster: status, capacity, reservations, metadata");
        machines.SetApiAction(async (context, cancellationToken) =>
        {
            // A node that is down still shows what it last announced, as nomad and kubectl show a node that is down or NotReady.
            var all = await context.Api.GetJson("v1/machines", cancellationToken);
            context.Output.Table(CommandOutput.Node(all), ["node", "status", "address", "cpu", "memory", "free memory", "pods", "stage1", "kvm accel", "metadata"], all.Items().Select(Machine));
            return ExitCodes.Success;
        });
        yield return machines;
    }

    private static IReadOnlyList<string> Machine(JsonElement node)
    {
        var status = node.Text("status", "-");
        if (node.Field("capacity") is not { } capacity)
        {
            return [node.Text("name", ""), status, "-", "-", "-", "-", "-", "-", "-", ""];
        }

        var metadata = node.Field("metadata") is { ValueKind: JsonValueKind.Object } pairs
            ? string.Join(",", pairs.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}").Order(StringComparer.Ordinal))
            : "";
        return
        [
            node.Text("name", ""), status, node.Text("address", "-"),
            string.Create(CultureInfo.InvariantCulture, $"{node.Number("freeCpuMillis")}m/{capacity.Number("cpuMillis")}m"),
            ByteCount.Format(capacity.Number("memoryBytes")), ByteCount.Format(node.Number("freeMemoryBytes")),
            node.Number("podCount").ToString(CultureInfo.InvariantCulture),
            string.Join(",", node.Items("stage1Flavors").Select(f => f.GetString())),
            node.Text("kvmAccelerator") is { Length: > 0 } accelerator ? accelerator : "-",
            metadata,
        ];
    }
}
