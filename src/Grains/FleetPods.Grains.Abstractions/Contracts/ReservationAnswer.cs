namespace FleetPods.Grains;

/// <summary>
/// A node's answer to <see cref="INodeGrain.Reserve"/>: whether it holds room for the pod, and, when it was handed the
/// pod to run with the reservation, whether its machine took it (else why not: the pod fails with that reason).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReservationAnswer(
    [property: Id(0)] bool Reserved,
    [property: Id(1)] bool Launched,
    [property: Id(2)] string? LaunchFailure)
{
    /// <summary>No room, or a rule forbids it: nothing is held.</summary>
    public static ReservationAnswer Refused { get; } = new(false, false, null);

    /// <summary>Room is held; the pod was not handed over to run.</summary>
    public static ReservationAnswer Held { get; } = new(true, false, null);

    /// <summary>Room is held and the machine took the pod: it prepares it.</summary>
    public static ReservationAnswer Running { get; } = new(true, true, null);

    /// <summary>Room is held but the pod could not be handed to the machine, for <paramref name="reason"/>.</summary>
    public static ReservationAnswer NotLaunched(string reason) => new(true, false, reason);
}
