using FleetPods.Grains;

namespace FleetPods.Cli;

/// <summary>The lower-case words tables and messages use for states, as fleetctl printed them.</summary>
public static class Names
{
    public static string Of(PodPhase phase) => phase.ToString().ToLowerInvariant();

    public static string Of(UnitDesiredState state) => state.ToString().ToLowerInvariant();

    public static string Of(NodeLiveness liveness) => liveness.ToString().ToLowerInvariant();

    public static string Time(DateTimeOffset? at) => at?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "-";
}
