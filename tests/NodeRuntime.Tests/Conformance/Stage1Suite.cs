namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>
/// What every part of the stage1 conformance suite runs its pods with: the flavor under test, a node for it, and
/// requests run to their end. No tests of its own, so each part (<see cref="Stage1Conformance"/>,
/// <see cref="Stage1NetworkConformance"/>) is declared once and run by the flavors it fits.
/// </summary>
public abstract class Stage1Suite(BusyboxAci aci)
{
    protected static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    protected abstract Stage1Flavor Flavor { get; }

    protected BusyboxAci Aci => aci;

    /// <summary>A runtime on a fresh data directory with the busybox image; a flavor may configure it further.</summary>
    protected virtual Task<RuntimeHarness> StartNode() => RuntimeHarness.Start(aci);

    protected PodLaunchRequest Request(RuntimeHarness node, params string[] exec) => node.Request(exec) with { Stage1 = Flavor };

    protected static async Task<(PodStateChange End, string Log)> Run(RuntimeHarness node, PodLaunchRequest request)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            await node.Runtime.StartPodAsync(request);
        }
        catch (PodLaunchException)
        {
            // A pod may end before its launch returns (an app killed for memory at once, on a busy machine); the
            // runtime reports that end like any other, and the test judges the end.
        }

        var changes = await node.UntilEnded(request.PodId, Within);
        return (changes[^1], await node.Log(request.PodId));
    }

    protected static async Task WaitForLog(RuntimeHarness node, string podId, string text)
    {
        ArgumentNullException.ThrowIfNull(node);
        using var timeout = new CancellationTokenSource(Within);
        while (!(await node.Log(podId)).Contains(text, StringComparison.Ordinal))
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    protected static async Task<T> Retry<T>(Func<Task<T>> attempt)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (HttpRequestException) when (i < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
