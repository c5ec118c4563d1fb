using System.Globalization;
using System.Text.Json.Serialization;
using FleetPods.NodeRuntime.Flavors;
using FleetPods.NodeRuntime.Pods;

namespace FleetPods.NodeRuntime.Manifest;

/// <summary>
/// The pod manifest the node writes to a pod's directory (<c>manifest.json</c>) and every stage1 reads: appc's pod
/// manifest (spec/pods.md, version 0.8.11), whose fields keep appc's meaning, with what this node rendered for the pod
/// in <see cref="Fleetpods"/>. Only the fields FleetPods fills are modelled; the schemas are in docs/schemas/.
/// </summary>
internal sealed record PodManifest(
    IReadOnlyList<AppcApp> Apps,
    IReadOnlyList<AppcVolume> Volumes,
    IReadOnlyList<AppcIsolator> Isolators,
    IReadOnlyList<AppcPort> Ports,
    FleetPodsExtension Fleetpods)
{
    [JsonPropertyOrder(-2)]
    public string AcKind { get; init; } = "PodManifest";

    [JsonPropertyOrder(-1)]
    public string AcVersion { get; init; } = "0.8.11";

    /// <summary>The manifest of a prepared pod, as every flavor is handed it; a flavor adds only what is its own (kvm: its VM).</summary>
    public static PodManifest For(Stage1Launch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var (pod, plans, request, isolation, console) = (launch.Pod, launch.Plans, launch.Request, launch.Isolation, launch.Console);
        var apps = plans.Select(plan => new AppcApp(
            plan.Name,
            new AppcImage(plan.Image.Name, plan.Image.Digest),
            new AppcRuntimeApp(
                plan.Exec,
                plan.User ?? "0",
                plan.Group ?? "0",
                [.. plan.Environment.Select(v => new AppcEnvironmentVariable(v.Key, v.Value))],
                plan.WorkingDirectory)
            {
                SupplementaryGids = plan.SupplementaryGroups.Count > 0 ? plan.SupplementaryGroups : null,
            },
            [.. plan.Mounts.Select(m => new AppcMount(m.Volume, m.Target))])).ToArray();
        var volumes = request.Volumes
            .Select(v => new AppcVolume(v.Name, v.Kind == PodVolumeKind.Host ? "host" : "empty", v.Kind == PodVolumeKind.Host ? v.Source : null, v.ReadOnly))
            .ToArray();
        List<AppcIsolator> isolators = [];
        if (request.MemoryBytes is { } memory)
        {
            isolators.Add(new AppcIsolator("resource/memory", new AppcResourceLimit(memory.ToString(CultureInfo.InvariantCulture))));
        }

        if (request.CpuMillis is { } cpu)
        {
            isolators.Add(new AppcIsolator("resource/cpu", new AppcResourceLimit(cpu.ToString(CultureInfo.InvariantCulture) + "m")));
        }

        var ports = request.Ports
            .Select(p => new AppcPort(p.Name, p.HostPort, new AppcPodPort(p.Name, p.Protocol == PodPortProtocol.Udp ? "udp" : "tcp", p.PodPort)))
            .ToArray();
        var rendered = plans.Select(plan => new FleetPodsApp(plan.Name, plan.Group is null)
        {
            Rootfs = plan.CopiedRootfs,
            Layers = plan.CopiedRootfs is null && plan.Layers is { } layers ? new FleetPodsLayers(plan.LowerDirectory, layers.Upper, layers.Work) : null,
        }).ToArray();
        var renderedVolumes = plans.SelectMany(p => p.Mounts)
            .DistinctBy(m => m.Volume, StringComparer.Ordinal)
            .Select(m => new FleetPodsVolume(m.Volume, m.Source, m.Shifted))
            .ToArray();
        var extension = new FleetPodsExtension(
            request.PodId,
            request.Stage1.ToString().ToLowerInvariant(),
            plans[0].Hostname,
            Network(isolation),
            [.. isolation.Cgroups],
            rendered,
            renderedVolumes)
        {
            OomEvents = isolation.OomEvents,
            UidBase = isolation.UidBase,
            Console = console?.ManifestConsole,
        };
        return new PodManifest(apps, volumes, [.. isolators], ports, extension);
    }

    private static FleetPodsNetwork Network(PodIsolation isolation) => isolation.Network switch
    {
        PodNetworkMode.Host => new FleetPodsNetwork("host"),
        PodNetworkMode.None => new FleetPodsNetwork("none"),
        _ => isolation.Address is { } address
            ? new FleetPodsNetwork("bridge")
            {
                IpTool = HostTool.Ip,
                Veth = address.Veth,
                Bridge = NodeNetwork.Bridge,
                Address = address.Address + "/16",
                Gateway = NodeNetwork.Gateway,
            }
            : throw new InvalidOperationException("the default network needs an address"),
    };
}

/// <summary>An app of the pod; <see cref="App"/> replaces its image's app, as appc allows, with every default resolved.</summary>
internal sealed record AppcApp(string Name, AppcImage Image, AppcRuntimeApp App, IReadOnlyList<AppcMount> Mounts);

/// <param name="Id">The image's id, <c>sha512-…</c> or <c>sha256-…</c> (appc's Image ID type).</param>
internal sealed record AppcImage(string Name, string Id);

/// <param name="User">A name or number in the pod's own /etc/passwd.</param>
/// <param name="Group">A name or number in the pod's own /etc/group (see <see cref="FleetPodsApp.GroupOfUser"/>).</param>
internal sealed record AppcRuntimeApp(
    IReadOnlyList<string> Exec,
    string User,
    string Group,
    IReadOnlyList<AppcEnvironmentVariable> Environment,
    string? WorkingDirectory)
{
    /// <summary>Group ids beside the user's own; left out when there are none.</summary>
    [JsonPropertyName("supplementaryGIDs")]
    public IReadOnlyList<uint>? SupplementaryGids { get; init; }
}

internal sealed record AppcEnvironmentVariable(string Name, string Value);

internal sealed record AppcMount(string Volume, string Path);

/// <param name="Kind"><c>host</c> or <c>empty</c>.</param>
/// <param name="Source">The node's directory, for <c>host</c> only.</param>
internal sealed record AppcVolume(string Name, string Kind, string? Source, bool ReadOnly);

/// <summary>appc's <c>resource/memory</c> and <c>resource/cpu</c> isolators.</summary>
internal sealed record AppcIsolator(string Name, AppcResourceLimit Value);

/// <param name="Limit">A quantity as appc (and Kubernetes) write it: bytes, or thousandths of a CPU with <c>m</c>.</param>
internal sealed record AppcResourceLimit(string Limit);

internal sealed record AppcPort(string Name, int HostPort, AppcPodPort PodPort);

/// <param name="Protocol"><c>tcp</c> or <c>udp</c>.</param>
internal sealed record AppcPodPort(string Name, string Protocol, int Port);
