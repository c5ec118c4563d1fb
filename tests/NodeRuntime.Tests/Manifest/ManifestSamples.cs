using System.Text.Json;
using System.Text.Json.Nodes;
using FleetPods.Grains;
using FleetPods.Grains.UnitFiles;
using FleetPods.NodeRuntime.Manifest;

namespace FleetPods.NodeRuntime.Tests.Manifest;

/// <summary>
/// One pod, described both ways: as a <see cref="PodSpec"/> for the C# validator and as the manifest a node writes
/// for it (through the writer's own types and JSON), for the C reader. Two apps, a host volume the first one mounts.
/// </summary>
internal static class ManifestSamples
{
    public static PodSpec Spec() => new(null, new PodSection(
        0, "example.com/busybox:1.0", ["/bin/sh", "-c", "echo hi"], [new EnvironmentVariable("WHO", "tests")], "/srv", "nobody", null,
        null, null, Grains.UnitFiles.Stage1Flavor.Ns, false, true, [new VolumeSpec("data", VolumeKind.Host, "/var/lib/data", false)],
        [new MountSpec("data", "/data")], [], RestartPolicy.No)
    {
        Network = PodNetwork.None,
        Apps = [new AppSection(0, "side", "example.com/busybox:1.0", ["/bin/sleep", "1000"], [], null, null, null, [])],
    });

    public static JsonObject Manifest()
    {
        var image = new AppcImage("example.com/busybox:1.0", "sha256-" + new string('a', 64));
        var manifest = new PodManifest(
            [
                new AppcApp("app", image, new AppcRuntimeApp(["/bin/sh", "-c", "echo hi"], "nobody", "0", [new AppcEnvironmentVariable("WHO", "tests")], "/srv"), [new AppcMount("data", "/data")]),
                new AppcApp("side", image, new AppcRuntimeApp(["/bin/sleep", "1000"], "0", "0", [], null), []),
            ],
            [new AppcVolume("data", "host", "/var/lib/data", false)],
            [new AppcIsolator("resource/memory", new AppcResourceLimit("67108864"))],
            [],
            new FleetPodsExtension(
                "pod-1",
                "ns",
                "fleetpods-pod-1",
                new FleetPodsNetwork("none"),
                ["/sys/fs/cgroup/memory/fleetpods/pod-1"],
                [
                    new FleetPodsApp("app", GroupOfUser: true) { Layers = new FleetPodsLayers("/var/lib/fleetpods/layers/a:/var/lib/fleetpods/layers/b", "/run/pod-1/upper", "/run/pod-1/work") },
                    new FleetPodsApp("side", GroupOfUser: true) { Rootfs = "/run/pod-1/app-layers/side/rootfs" },
                ],
                [new FleetPodsVolume("data", "/var/lib/data", Idmapped: false)]));
        return JsonNode.Parse(JsonSerializer.Serialize(manifest, PodManifestJson.Default.PodManifest))!.AsObject();
    }
}
