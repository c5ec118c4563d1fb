using System.Net;
using FleetPods.Grains.Security;
using FleetPods.NodeRuntime;
using FleetPods.Security;

namespace FleetPods.Silo;

/// <summary>How this fleetpodsd runs: where it keeps state, which node it is, which ports it listens on.</summary>
public sealed record DaemonOptions(
    string DataDirectory,
    string NodeName,
    IReadOnlyDictionary<string, string> Metadata,
    int SiloPort,
    int GatewayPort)
{
    public const string DefaultDataDirectory = "/var/lib/fleetpods";
    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;
    public const int DefaultApiPort = 30443;

    public string StateDatabasePath => Path.Combine(DataDirectory, "state.db");

    /// <summary>The HTTP API's port: HTTPS on it, and the local socket /run/fleetpods/api-PORT.sock.</summary>
    public int ApiPort { get; init; } = DefaultApiPort;

    /// <summary>Where this node's certificates are (--pki-dir), or null for &lt;data-dir&gt;/pki.</summary>
    public string? PkiPath { get; init; }

    public PkiDirectory Pki => PkiPath is { } path ? new(path) : PkiDirectory.InDataDirectory(DataDirectory);

    /// <summary>The PostgreSQL connection string of cluster mode, or null for the embedded single-machine default.</summary>
    public string? ClusterConnectionString { get; init; }

    /// <summary>A node (a silo that runs pods, today's default), a server, or an agent of the servers.</summary>
    public DaemonMode Mode { get; init; } = DaemonMode.Node;

    /// <summary>The servers' gateways an agent attaches through (<c>--servers</c>); empty for the other modes.</summary>
    public IReadOnlyList<IPEndPoint> Servers { get; init; } = [];

    /// <summary>Whether this daemon is part of a cluster of machines (PostgreSQL behind it, directly or through the servers), not the embedded single-machine default.</summary>
    public bool IsClusterMode => ClusterConnectionString is not null || Mode == DaemonMode.Agent;

    /// <summary>The address other silos and clients reach this one at (cluster mode only).</summary>
    public IPAddress AdvertisedAddress { get; init; } = IPAddress.Loopback;

    /// <summary>How fast a dead silo is declared dead (cluster mode only).</summary>
    public MembershipTuning Membership { get; init; } = MembershipTuning.Recommended;

    /// <summary>The most an image may take, as an archive and as the tree it expands to.</summary>
    public long MaxImageSizeBytes { get; init; } = 16L << 30;

    /// <summary>The cluster's pod policy as this daemon read it from <c>--pod-policy</c>: its grains and its node apply it.</summary>
    public PodPolicy PodPolicy { get; init; } = PodPolicy.None;

    /// <summary>Stage1 kvm's guest kernel, or null for the default (the newest built one, else the newest /boot/vmlinuz-*).</summary>
    public string? KvmKernel { get; init; }

    /// <summary>Stage1 kvm's accelerator; auto probes once whether KVM boots the guest, else TCG.</summary>
    public KvmAccelerator KvmAccelerator { get; init; } = KvmAccelerator.Auto;

    /// <summary>Registry mirrors by registry host (<c>--registry-mirror HOST=URL</c>), tried in order before the registry.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Uri>> RegistryMirrors { get; init; } = new Dictionary<string, IReadOnlyList<Uri>>();

    /// <summary>The stage1 flavors this node offers (<c>--stage1</c>), or null for every flavor its machine can run.</summary>
    public IReadOnlyList<Grains.UnitFiles.Stage1Flavor>? Stage1Flavors { get; init; }
}
