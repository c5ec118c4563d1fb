using System.Globalization;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>A pod's address on the node's bridge: host number <paramref name="Host"/> of 10.213.0.0/16.</summary>
internal sealed record PodAddress(int Host)
{
    public string Address => string.Create(CultureInfo.InvariantCulture, $"10.213.{Host / 256}.{Host % 256}");

    /// <summary>The host end of the pod's veth pair (at most 15 characters, unique while the address is leased).</summary>
    public string Veth => string.Create(CultureInfo.InvariantCulture, $"fpv{Host}");

    /// <summary>Stage1 kvm: the VM's tap device on the bridge (at most 15 characters, unique while the address is leased).</summary>
    public string Tap => string.Create(CultureInfo.InvariantCulture, $"fpt{Host}");

    /// <summary>
    /// Stage1 kvm: the VM's MAC, locally administered and unicast (02:), then "FP" and the host number, so it is unique on
    /// the bridge while the address is leased and a neighbour's cached entry for a reused address stays right.
    /// </summary>
    public string Mac => string.Create(CultureInfo.InvariantCulture, $"02:46:50:00:{Host / 256:x2}:{Host % 256:x2}");
}
