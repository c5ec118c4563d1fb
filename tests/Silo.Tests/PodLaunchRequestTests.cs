using FleetPods.Grains;
using FleetPods.Grains.UnitFiles;
using FleetPods.NodeRuntime;

namespace FleetPods.Silo.Tests;

/// <summary>A unit file's pod as the node runtime is asked to run it: apps, volumes, mounts, ports, limits, network.</summary>
public sealed class PodLaunchRequestTests
{
    private static readonly Dictionary<string, string> Digests = new(StringComparer.Ordinal)
    {
        ["example.com/web"] = "sha512-web",
        ["example.com/sidecar"] = "sha512-sidecar",
    };

    [Fact]
    public void Every_key_of_the_pod_and_its_apps_reaches_the_runtime()
    {
        var unit = Parse("""
            [Pod]
            Image=example.com/web
            Exec=/bin/web
            Memory=64M
            CPU=250m
            PrivateUsers=yes
            Network=none
            Volume=data,kind=host,source=/srv/data,readOnly=true
            Volume=scratch,kind=empty
            Mount=volume=data,target=/data
            [App sidecar]
            Image=example.com/sidecar
            User=nobody
            Mount=volume=scratch,target=/scratch
            """);

        var request = PodLaunchRequests.From("pod-1", PodSpec.FromUnit(unit), Digests);

        Assert.Equal(("sha512-web", 64L << 20, 250, true, PodNetworkMode.None), (request.ImageDigest, request.MemoryBytes, request.CpuMillis, request.PrivateUsers, request.Network));
        Assert.Equal([new PodVolume("data", PodVolumeKind.Host, "/srv/data", true), new PodVolume("scratch", PodVolumeKind.Empty, null, false)], request.Volumes);
        Assert.Equal([new PodMount("data", "/data")], request.App.Mounts);
        var sidecar = Assert.Single(request.MoreApps);
        Assert.Equal(("sidecar", "sha512-sidecar", "nobody", new PodMount("scratch", "/scratch")), (sidecar.Name, sidecar.ImageDigest, sidecar.User, Assert.Single(sidecar.Mounts)));
    }

    [Theory]
    [InlineData("Stage1=ns", PodNetworkMode.Default)]
    [InlineData("Stage1=fly", PodNetworkMode.Host)]
    [InlineData("Stage1=fly\nNetwork=host", PodNetworkMode.Host)]
    [InlineData("Stage1=kvm", PodNetworkMode.Default)]
    public void A_network_not_given_is_the_flavors_own_default_for_ns_and_kvm_host_for_fly(string lines, PodNetworkMode expected)
    {
        // A port would be refused under fly (Stage1Traits); ns and kvm forward it.
        var port = lines is "Stage1=ns" or "Stage1=kvm" ? "Port=http:8080:80/tcp" : "";
        var unit = Parse($"[Pod]\nImage=example.com/web\nExec=/bin/web\n{lines}\n{port}\n");

        var request = PodLaunchRequests.From("pod-1", PodSpec.FromUnit(unit), Digests);

        Assert.Equal(expected, request.Network);
        Assert.Equal(port.Length > 0 ? [new PodPortForward("http", 8080, 80, PodPortProtocol.Tcp)] : [], request.Ports);
    }

    private static UnitFile Parse(string text)
    {
        var result = UnitFileParser.Parse("web.pod", text);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Unit!;
    }
}
