using FleetPods.Grains;
using Orleans.Runtime.Messaging;

namespace FleetPods.Silo.Api;

/// <summary>
/// Puts one question to every node at once, or to the one <c>node=</c> names: a node that is down, or up but does
/// not answer in time, is skipped and named rather than failing the request. Liveness comes from
/// <see cref="IClusterGrain"/> (Orleans membership), not from the failures.
/// </summary>
public static class EveryNode
{
    /// <param name="only">The node a caller named: its failure is the request's, as it asked for nothing else.</param>
    /// <param name="within">How long each node may take.</param>
    public static async Task<NodeAnswers<T>> Ask<T>(IGrainFactory grains, string? only, TimeSpan within, Func<string, Task<T>> question, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(question);
        if (only is not null)
        {
            return new([(only, await question(only).WaitAsync(within, cancellationToken))], []);
        }

        var nodes = await ReadRetry.Run(() => grains.GetGrain<IClusterGrain>(IClusterGrain.Key).GetNodes(), cancellationToken);
        var asked = await Task.WhenAll(nodes.Select(node => node.Liveness == NodeLiveness.Up
            ? Try(node.Name, question, within, cancellationToken)
            : Task.FromResult(new Answer<T>(node.Name, default, node.Liveness))));
        return new(
            [.. asked.Where(a => a.Liveness == NodeLiveness.Up).Select(a => (a.Node, a.Value!))],
            [.. asked.Where(a => a.Liveness != NodeLiveness.Up).Select(a => new SkippedNode(a.Node, a.Liveness))]);
    }

    // The node was up a moment ago when the cluster grain looked; it may have died since (a race, not a failure of the request).
    private static async Task<Answer<T>> Try<T>(string node, Func<string, Task<T>> question, TimeSpan within, CancellationToken cancellationToken)
    {
        try
        {
            return new(node, await question(node).WaitAsync(within, cancellationToken), NodeLiveness.Up);
        }
        catch (NodeUnavailableException)
        {
            return new(node, default, NodeLiveness.Down);
        }
        catch (Exception ex) when (ex is OrleansMessageRejectionException or ConnectionFailedException or TimeoutException)
        {
            return new(node, default, NodeLiveness.Unreachable);
        }
    }

    private sealed record Answer<T>(string Node, T? Value, NodeLiveness Liveness);
}
