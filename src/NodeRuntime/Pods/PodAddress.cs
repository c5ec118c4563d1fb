using System.Globalization;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>A pod's address on the node's bridge: host number <paramref name="Host"/> of 10.213.0.0/16.</summary>
internal sealed record PodAddress(int Host)
{
    public string Address => string.Create(CultureInfo.InvariantCulture, $"10.213.{Host / 256}.{Host % 256}");

    /// <summary>The host end of the pod's veth pair (at most 15 characters, unique while the address is leased).</summary>
    public string Veth => string.Create(CultureInfo.InvariantCulture, $"fpv{Host}");
}
