using System.Collections.Concurrent;
using FleetPods.NodeRuntime;

namespace FleetPods.Silo;

/// <summary>
/// The launches waiting for their pods: a pod's first change past preparing is the answer to the
/// <see cref="Grains.INodeAgent.RunPod"/> that launched it rather than a report of its own (one call less a pod), unless
/// that call stopped waiting first. The machine (<see cref="LocalNodeRuntime"/>) waits; the agent
/// (<see cref="NodeAgent"/>), which reads every change the runtime makes, answers.
/// </summary>
public sealed class LaunchAnswers(TimeSpan wait)
{
    /// <summary>How long a launch waits for its pod: most pods whose images are here run well within it.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    public LaunchAnswers()
        : this(Wait)
    {
    }

    private readonly ConcurrentDictionary<string, TaskCompletionSource<PodStateChange>> waiting = new(StringComparer.Ordinal);

    /// <summary>Registers a launch before it starts, so none of its pod's changes slips past.</summary>
    public TaskCompletionSource<PodStateChange> Expect(string podId) =>
        waiting.GetOrAdd(podId, static _ => new TaskCompletionSource<PodStateChange>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>The change that answers the launch, or null once the wait passed without one (it is reported then).</summary>
    public async Task<PodStateChange?> Answer(string podId, TaskCompletionSource<PodStateChange> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        try
        {
            return await answer.Task.WaitAsync(wait);
        }
        catch (TimeoutException) when (waiting.TryRemove(KeyValuePair.Create(podId, answer)))
        {
            return null;
        }
        catch (TimeoutException)
        {
            // Taken by TryAnswer just now: it is set at once.
            return await answer.Task;
        }
    }

    /// <summary>Whether <paramref name="change"/> answers a launch still waiting for it (then it is not reported).</summary>
    public bool TryAnswer(PodStateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.Phase != PodPhase.Preparing && waiting.TryRemove(change.PodId, out var answer) && answer.TrySetResult(change);
    }
}
