using FleetPods.Grains;
using Orleans.Runtime.Messaging;

namespace FleetPods.Cli;

/// <summary>
/// The failures a command reports as one line for a person (bad arguments, a refused request, an unreachable or
/// unanswering cluster), whether the cluster client or fleetpodsd's local run reports them; anything else is a bug.
/// </summary>
public static class ExpectedFailures
{
    /// <summary>
    /// The line for a person, or null if the failure is not an expected one. Orleans' own messages may carry a
    /// remote stack trace (a rejection quotes the exception that caused it), so they are never shown.
    /// </summary>
    public static string? Describe(Exception exception) => exception switch
    {
        CliException or FleetPodsException => exception.Message,
        TimeoutException => "the cluster did not answer in time; try again",
        GatewayTooBusyException => "the cluster's gateway is too busy; try again",
        SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException =>
            "a node of the cluster went away while answering (the cluster is still noticing); try again",
        _ => null,
    };
}
