using System.Text.Json.Nodes;
using FleetPods.Grains;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.NodeRuntime.Tests.Manifest;

/// <summary>
/// One way a pod can be wrong, said twice: to the C# validator (as a change to <see cref="ManifestSamples.Spec"/>, refused
/// naming <see cref="SpecField"/>) and to the C reader (as a change to <see cref="ManifestSamples.Manifest"/>, refused
/// naming <see cref="ManifestField"/>). Both languages are held to every case.
/// </summary>
internal sealed record MalformedPod(string Name, Func<PodSpec, PodSpec> Spec, PodField SpecField, Action<JsonObject> Manifest, string ManifestField)
{
    public override string ToString() => Name;

    public static readonly IReadOnlyList<MalformedPod> All =
    [
        new("an app name that is not an AC name",
            s => WithApps(s, s.Pod.Apps[0] with { Name = "Side_1" }), PodField.App,
            m => { App(m, 1)["name"] = "Side_1"; Rendered(m, 1)["name"] = "Side_1"; }, "apps[1].name"),
        new("two apps of one name",
            s => WithApps(s, s.Pod.Apps[0], s.Pod.Apps[0]), PodField.App,
            m => { App(m, 1)["name"] = "app"; Rendered(m, 1)["name"] = "app"; }, "apps[1].name"),
        new("an empty command",
            s => WithPod(s, s.Pod with { Exec = [] }), PodField.Exec,
            m => Runtime(m, 0)["exec"] = new JsonArray(), "apps[0].app.exec"),
        new("a NUL in a word of the command",
            s => WithPod(s, s.Pod with { Exec = ["/bin/sh", "-c", "echo\0hi"] }), PodField.Exec,
            m => Runtime(m, 0)["exec"]![2] = "echo\0hi", "apps[0].app.exec[2]"),
        new("an environment name with '='",
            s => WithPod(s, s.Pod with { Environment = [new EnvironmentVariable("A=B", "x")] }), PodField.Environment,
            m => Runtime(m, 0)["environment"]![0]!["name"] = "A=B", "apps[0].app.environment[0]"),
        new("a NUL in an environment value",
            s => WithPod(s, s.Pod with { Environment = [new EnvironmentVariable("WHO", "a\0b")] }), PodField.Environment,
            m => Runtime(m, 0)["environment"]![0]!["value"] = "a\0b", "apps[0].app.environment[0].value"),
        new("a relative working directory",
            s => WithPod(s, s.Pod with { WorkingDirectory = "srv" }), PodField.WorkingDirectory,
            m => Runtime(m, 0)["workingDirectory"] = "srv", "apps[0].app.workingDirectory"),
        new("an empty user",
            s => WithPod(s, s.Pod with { User = "" }), PodField.User,
            m => Runtime(m, 0)["user"] = "", "apps[0].app.user"),
        new("a supplementary group id the kernel reads as 'unchanged'",
            s => WithPod(s, s.Pod with { SupplementaryGroups = [10, uint.MaxValue] }), PodField.SupplementaryGroups,
            m => Runtime(m, 0)["supplementaryGIDs"] = new JsonArray(10, uint.MaxValue), "apps[0].app.supplementaryGIDs[1]"),
        new("a relative mount target",
            s => WithPod(s, s.Pod with { Mounts = [new MountSpec("data", "data")] }), PodField.Mount,
            m => App(m, 0)["mounts"]![0]!["path"] = "data", "apps[0].mounts[0].path"),
        new("a mount of a volume the pod does not declare",
            s => WithPod(s, s.Pod with { Mounts = [new MountSpec("nope", "/data")] }), PodField.Mount,
            m => App(m, 0)["mounts"]![0]!["volume"] = "nope", "apps[0].mounts[0]"),
        new("a volume name that is not an AC name",
            s => WithPod(s, s.Pod with { Volumes = [s.Pod.Volumes[0] with { Name = "Data_1" }], Mounts = [new MountSpec("Data_1", "/data")] }), PodField.Volume,
            m => { m["volumes"]![0]!["name"] = "Data_1"; m["fleetpods"]!["volumes"]![0]!["name"] = "Data_1"; App(m, 0)["mounts"]![0]!["volume"] = "Data_1"; }, "volumes[0].name"),
        new("a host volume whose source is relative",
            s => WithPod(s, s.Pod with { Volumes = [s.Pod.Volumes[0] with { Source = "var/lib/data" }] }), PodField.Volume,
            m => { m["volumes"]![0]!["source"] = "var/lib/data"; m["fleetpods"]!["volumes"]![0]!["path"] = "var/lib/data"; }, "fleetpods.volumes[0].path"),
    ];

    private static PodSpec WithPod(PodSpec spec, PodSection pod) => spec with { Pod = pod };

    private static PodSpec WithApps(PodSpec spec, params AppSection[] apps) => spec with { Pod = spec.Pod with { Apps = apps } };

    private static JsonObject App(JsonObject manifest, int index) => manifest["apps"]![index]!.AsObject();

    private static JsonObject Runtime(JsonObject manifest, int index) => App(manifest, index)["app"]!.AsObject();

    private static JsonObject Rendered(JsonObject manifest, int index) => manifest["fleetpods"]!["apps"]![index]!.AsObject();
}
