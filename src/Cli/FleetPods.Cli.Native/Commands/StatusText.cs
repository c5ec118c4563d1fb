using System.Text.Json;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary>How units and pods read in messages and in <c>status</c>, from the API's UnitStatus and PodStatus JSON.</summary>
internal static class StatusText
{
    /// <summary>Every current pod of a unit: its <c>pods</c>, or its one <c>pod</c> where only that is given.</summary>
    public static IReadOnlyList<JsonElement> PodsOf(JsonElement unit)
    {
        var pods = unit.Items("pods").ToList();
        return pods.Count > 0 ? pods : unit.Field("pod") is { } only ? [only] : [];
    }

    public static bool HasFailedPod(JsonElement unit) => PodsOf(unit).Any(p => p.Text("phase") == "failed");

    /// <summary>After a transition: <c>Unit web.pod launched, pod 3f2a… running on n1</c>; the first failed pod if any (why a start exits 1).</summary>
    public static string Transition(JsonElement unit)
    {
        var pods = PodsOf(unit);
        var shown = pods.FirstOrDefault(p => p.Text("phase") == "failed") is { ValueKind: JsonValueKind.Object } failed ? failed : unit.Field("pod");
        var pod = shown is { } p
            ? $"pod {p.Text("id")} {p.Text("phase")}{(p.Text("nodeName") is { } node ? $" on {node}" : "")}{(p.Text("reason") is { } reason ? $": {reason}" : "")}"
            : "no pod";
        return $"Unit {unit.Text("name")} {unit.Text("desiredState")}, {pod}";
    }

    public static string Unit(JsonElement unit)
    {
        var lines = new List<string>
        {
            $"Unit: {unit.Text("name")}",
            $"Description: {unit.Text("description", "-")}",
            $"Desired: {unit.Text("desiredState")}{(unit.Flag("isTemplate") ? " (template)" : "")}",
            $"Submitted: {unit.Time("submittedAt")}",
        };
        // Every pod of a unit with Count= or Global=true, each as a pod alone is shown.
        lines.AddRange(PodsOf(unit).Select(Pod));
        return string.Join('\n', lines);
    }

    public static string Pod(JsonElement pod) => string.Join('\n',
        $"Pod: {pod.Text("id")}",
        $"Image: {pod.Text("image")}",
        $"Phase: {pod.Text("phase")}",
        $"Node: {pod.Text("nodeName", "-")}",
        $"Exit code: {pod.Text("exitCode", "-")}",
        $"Reason: {pod.Text("reason", "-")}",
        $"Created: {pod.Time("createdAt")}",
        $"Started: {pod.Time("startedAt")}",
        $"Finished: {pod.Time("finishedAt")}");
}
