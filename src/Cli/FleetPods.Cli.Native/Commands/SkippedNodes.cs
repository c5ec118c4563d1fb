using System.Text.Json;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary>The nodes whose part of a cluster-wide answer is missing (the API's <c>skipped</c>), each named on stderr.</summary>
internal static class SkippedNodes
{
    /// <summary>One line per skipped node, e.g. <c>fleetpods: node n2 is down; its images are not listed</c>.</summary>
    public static void Warn(JsonElement answer, string consequence)
    {
        foreach (var node in answer.Items("skipped"))
        {
            var status = node.Text("status") == "down" ? "down" : "unreachable (up in the cluster, but it did not answer)";
            Console.Error.WriteLine($"fleetpods: node {node.Text("node")} is {status}; {consequence}");
        }
    }
}
