using FleetPods.Grains;

namespace FleetPods.Cli;

/// <summary>
/// The failures a command reports as one line for a person (bad arguments, a refused request, an unreachable or
/// unanswering cluster), whether the cluster client or fleetpodsd's local run reports them; anything else is a bug.
/// </summary>
public static class ExpectedFailures
{
    public static bool Contains(Exception exception) =>
        exception is CliException or FleetPodsException or SiloUnavailableException or TimeoutException or OrleansMessageRejectionException;
}
