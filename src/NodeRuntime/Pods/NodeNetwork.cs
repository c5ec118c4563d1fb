using System.Globalization;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// The node side of the default pod network: the bridge <c>fleetpods0</c> at 10.213.0.1/16 (a node-local range;
/// every node NATs its own pods, so ranges may repeat across nodes), outbound NAT, and forwarded ports, all with
/// iproute2 and nftables. Forwarded ports are elements of one nftables map, so adding and removing a pod's ports
/// touches only its own entries. Addresses and host ports are leased machine-wide (<see cref="HostLeases"/>).
/// Pods may not open connections to the node itself (answers to the node's own connections and forwards pass): the
/// node's services, the cluster gateway first, are not the pods' to call, since whoever talks to the gateway can
/// start a fly pod, which is root on the node.
/// </summary>
internal sealed class NodeNetwork(HostLeases leases)
{
    public const string Bridge = "fleetpods0";
    public const string Gateway = "10.213.0.1";
    private const string Subnet = "10.213.0.0/16";
    private const int FirstHost = 2;
    private const int LastHost = 65534;

    // One transaction, safe to repeat: declaring what exists is a no-op, the chains are flushed and refilled,
    // and the port map's elements (the running pods' forwards) are kept.
    private const string Ruleset = $$"""
        table ip fleetpods {
            map ports { type inet_proto . inet_service : ipv4_addr . inet_service; }
            chain prerouting { type nat hook prerouting priority dstnat; policy accept; }
            chain output { type nat hook output priority -100; policy accept; }
            chain postrouting { type nat hook postrouting priority srcnat; policy accept; }
            chain input { type filter hook input priority filter; policy accept; }
        }
        flush chain ip fleetpods prerouting
        flush chain ip fleetpods output
        flush chain ip fleetpods postrouting
        flush chain ip fleetpods input
        add rule ip fleetpods prerouting fib daddr type local meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @ports
        add rule ip fleetpods output fib daddr type local meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @ports
        add rule ip fleetpods postrouting ip saddr {{Subnet}} ip daddr != {{Subnet}} masquerade
        add rule ip fleetpods postrouting ip saddr 127.0.0.0/8 oifname "{{Bridge}}" masquerade
        add rule ip fleetpods input iifname "{{Bridge}}" ct state established,related accept
        add rule ip fleetpods input iifname "{{Bridge}}" drop
        """;

    private static readonly Lock SetUpLock = new();
    private static bool setUp;

    /// <summary>Makes the bridge and the NAT once per process (each step is idempotent, so other processes may do it too).</summary>
    public static void EnsureSetUp()
    {
        lock (SetUpLock)
        {
            if (setUp)
            {
                return;
            }

            var ip = HostTool.Ip;
            if (HostTool.Run(ip, ["link", "show", Bridge]).ExitCode != 0)
            {
                var (code, error) = HostTool.Run(ip, ["link", "add", Bridge, "type", "bridge"]);
                if (code != 0 && !error.Contains("exists", StringComparison.OrdinalIgnoreCase))
                {
                    throw new PodLaunchException($"ip link add {Bridge} type bridge failed: {error}");
                }
            }

            HostTool.Must(ip, ["addr", "replace", Gateway + "/16", "dev", Bridge]);
            HostTool.Must(ip, ["link", "set", Bridge, "up"]);
            File.WriteAllText("/proc/sys/net/ipv4/ip_forward", "1");
            // Lets the node reach a forwarded port at 127.0.0.1: DNAT turns it into a pod address on the bridge.
            File.WriteAllText($"/proc/sys/net/ipv4/conf/{Bridge}/route_localnet", "1");
            HostTool.Must(HostTool.Nft, ["-f", "-"], Ruleset);
            setUp = true;
        }
    }

    /// <summary>An unused address of the range for the pod, leased until <see cref="Release"/>.</summary>
    public PodAddress Allocate(PodDirectory pod)
    {
        var start = Random.Shared.Next(FirstHost, LastHost + 1);
        for (var i = 0; i <= LastHost - FirstHost; i++)
        {
            var host = FirstHost + ((start - FirstHost + i) % (LastHost - FirstHost + 1));
            if (leases.TryTake(AddressLease(host), pod))
            {
                return new PodAddress(host);
            }
        }

        throw new PodLaunchException($"no free address in {Subnet} on this node");
    }

    /// <summary>Forwards the node's ports to the pod; a host port another running pod forwards is refused.</summary>
    public void Forward(IReadOnlyList<PodPortForward> ports, PodAddress address, PodDirectory pod)
    {
        foreach (var port in ports)
        {
            if (!leases.TryTake(PortLease(port), pod))
            {
                throw new PodLaunchException($"host port {Describe(port)} (Port={port.Name}) is already forwarded to another pod on this node");
            }
        }

        if (ports.Count > 0)
        {
            // A forward left by a pod whose daemon was killed is replaced: its lease was stale, so the port is ours.
            foreach (var port in ports)
            {
                HostTool.Run(HostTool.Nft, ["delete", "element", "ip", "fleetpods", "ports", $"{{ {Protocol(port)} . {port.HostPort} }}"]);
            }

            var elements = string.Join(", ", ports.Select(p => $"{Protocol(p)} . {p.HostPort} : {address.Address} . {p.PodPort}"));
            HostTool.Must(HostTool.Nft, ["add", "element", "ip", "fleetpods", "ports", "{ " + elements + " }"]);
        }
    }

    /// <summary>Removes the pod's forwards and gives back its address and ports; what is already gone is skipped.</summary>
    public void Release(PodAddress? address, IReadOnlyList<PodPortForward> ports, PodDirectory pod)
    {
        foreach (var port in ports.Where(p => leases.Holder(PortLease(p)) == pod.Root))
        {
            HostTool.Run(HostTool.Nft, ["delete", "element", "ip", "fleetpods", "ports", $"{{ {Protocol(port)} . {port.HostPort} }}"]);
            leases.Release(PortLease(port), pod);
        }

        if (address is { } a)
        {
            leases.Release(AddressLease(a.Host), pod);
        }
    }

    private static string AddressLease(int host) => "address-" + host.ToString(CultureInfo.InvariantCulture);

    private static string PortLease(PodPortForward port) => $"port-{Protocol(port)}-{port.HostPort}";

    private static string Protocol(PodPortForward port) => port.Protocol == PodPortProtocol.Udp ? "udp" : "tcp";

    private static string Describe(PodPortForward port) => $"{port.HostPort}/{Protocol(port)}";
}
