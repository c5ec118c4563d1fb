using FleetPods.Grains.Security;
using FleetPods.Grains.Tests.UnitFiles;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.Security;

/// <summary>The pod security classification of every setting, as a unit file gives it.</summary>
public sealed class PodSecurityTests
{
    private static readonly PodPolicy Policy = new(new Dictionary<string, HostVolumePolicy>
    {
        ["data"] = new("/srv/data", ReadOnly: false),
        ["config"] = new("/srv/config", ReadOnly: true),
    });

    [Fact]
    public void A_default_ns_pod_is_baseline_and_has_its_own_user_ids()
    {
        var pod = UnitText.ParsePod("Volume=scratch,kind=empty", "Mount=volume=scratch,target=/scratch", "Port=http:8080:80/tcp");

        Assert.True(pod.PrivateUsers);
        var security = PodSecurity.Classify(pod, PodPolicy.None);
        Assert.Equal(PodSecurityLevel.Baseline, security.Level);
        Assert.Empty(security.Uses);
    }

    [Theory]
    [InlineData(PrivilegedSetting.HostVolume, "Volume", "Volume=data kind=host", "Volume=data,kind=host,source=/srv/data")]
    [InlineData(PrivilegedSetting.Stage1Fly, "Stage1", "Stage1=fly", "Stage1=fly", "Network=host")]
    [InlineData(PrivilegedSetting.HostNetwork, "Network", "Network=host", "Network=host")]
    [InlineData(PrivilegedSetting.LowHostPort, "Port", "Port=http:80 (host port below 1024)", "Port=http:80:8080/tcp")]
    [InlineData(PrivilegedSetting.SharedUserIds, "PrivateUsers", "PrivateUsers=no", "PrivateUsers=no")]
    public void Each_setting_that_reaches_the_node_makes_the_pod_privileged(PrivilegedSetting setting, string key, string description, params string[] lines)
    {
        var security = PodSecurity.Classify(UnitText.ParsePod(lines), PodPolicy.None);

        Assert.Equal(PodSecurityLevel.Privileged, security.Level);
        var use = Assert.Single(security.Uses);
        Assert.Equal((setting, key, description), (use.Setting, use.Key, use.Description));
    }

    [Fact]
    public void Every_privileged_setting_is_listed_not_only_the_first()
    {
        // Built by hand: no valid pod forwards ports on the host's network, but the classification must not stop at one.
        var pod = PodSpec.ForImage("example.com/busybox", null).Pod with
        {
            Volumes = [new VolumeSpec("root", VolumeKind.Host, "/", false)],
            Network = PodNetwork.Host,
            PrivateUsers = false,
            Ports = [new PortSpec("a", 22, 22, PortProtocol.Tcp), new PortSpec("b", 8080, 80, PortProtocol.Tcp)],
        };

        var security = PodSecurity.Classify(pod, PodPolicy.None);

        Assert.Equal(
            [PrivilegedSetting.HostVolume, PrivilegedSetting.HostNetwork, PrivilegedSetting.LowHostPort, PrivilegedSetting.SharedUserIds],
            security.Uses.Select(u => u.Setting));
        Assert.Equal("Volume=root kind=host, Network=host, Port=a:22 (host port below 1024), PrivateUsers=no", security.Settings);
    }

    [Theory]
    [InlineData("Port=http:1024:80/tcp")]
    [InlineData("Stage1=kvm", "Network=none")]
    [InlineData("Stage1=kvm", "Network=none", "PrivateUsers=no")]
    [InlineData("Stage1=kvm", "Port=http:8080:80/tcp")]
    [InlineData("PrivateUsers=yes", "Network=none")]
    public void Kvm_pods_high_ports_and_private_users_are_baseline(params string[] lines)
    {
        Assert.Equal(PodSecurityLevel.Baseline, PodSecurity.Classify(UnitText.ParsePod(lines), PodPolicy.None).Level);
    }

    [Theory]
    [InlineData("Volume=data,kind=host,source=/srv/data", true)]
    [InlineData("Volume=mine,kind=host,source=/srv/data/", true)]
    [InlineData("Volume=data,kind=host,source=/srv//data", true)]
    [InlineData("Volume=config,kind=host,source=/srv/config,readOnly=true", true)]
    [InlineData("Volume=config,kind=host,source=/srv/config", false)]
    [InlineData("Volume=data,kind=host,source=/srv/data/sub", false)]
    [InlineData("Volume=data,kind=host,source=/srv", false)]
    [InlineData("Volume=data,kind=host,source=/srv/data-other", false)]
    public void A_host_volume_is_baseline_only_on_a_directory_the_policy_names(string volume, bool baseline)
    {
        var security = PodSecurity.Classify(UnitText.ParsePod(volume), Policy);

        Assert.Equal(baseline ? PodSecurityLevel.Baseline : PodSecurityLevel.Privileged, security.Level);
    }

    [Fact]
    public void A_read_only_policy_volume_mounted_writable_says_so()
    {
        var use = Assert.Single(PodSecurity.Classify(UnitText.ParsePod("Volume=config,kind=host,source=/srv/config"), Policy).Uses);

        Assert.Equal("Volume=config kind=host without readOnly=true (the pod policy shares /srv/config read-only)", use.Description);
    }

    [Fact]
    public void A_run_pod_is_classified_like_a_unit_pod()
    {
        var pod = PodSpec.ForImage("example.com/busybox", null).Pod with
        {
            Volumes = [new VolumeSpec("h", VolumeKind.Host, "/root", false)],
        };

        Assert.True(PodSpec.ForImage("example.com/busybox", null).Pod.PrivateUsers);
        Assert.False(PodSpec.ForImage("example.com/busybox", null, Stage1Flavor.Kvm).Pod.PrivateUsers);
        Assert.Equal(PrivilegedSetting.HostVolume, Assert.Single(PodSecurity.Classify(pod, PodPolicy.None).Uses).Setting);
    }
}
