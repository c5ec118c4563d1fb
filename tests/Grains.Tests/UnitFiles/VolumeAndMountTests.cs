using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class VolumeAndMountTests
{
    [Fact]
    public void Host_and_empty_volumes_with_their_mounts()
    {
        var pod = UnitText.ParsePod(
            "Volume=data,kind=host,source=/srv/data",
            "Volume=config,kind=host,source=/etc/web,readOnly=true",
            "Volume=scratch,kind=empty",
            "Volume=cache-1,kind=empty,readOnly=false",
            "Mount=volume=data,target=/var/lib/web",
            "Mount=target=/etc/web,volume=config",
            "Mount=volume=scratch,target=/tmp");

        Assert.Equal(
            [
                new("data", VolumeKind.Host, "/srv/data", false),
                new("config", VolumeKind.Host, "/etc/web", true),
                new("scratch", VolumeKind.Empty, null, false),
                new VolumeSpec("cache-1", VolumeKind.Empty, null, false),
            ],
            pod.Volumes);
        Assert.Equal(
            [new("data", "/var/lib/web"), new("config", "/etc/web"), new MountSpec("scratch", "/tmp")],
            pod.Mounts);
    }

    [Fact]
    public void A_mount_may_come_before_the_volume_it_names()
    {
        var pod = UnitText.ParsePod("Mount=volume=data,target=/data", "Volume=data,kind=empty");

        Assert.Equal("data", Assert.Single(pod.Mounts).Volume);
    }

    [Fact]
    public void Empty_assignments_reset_the_volume_and_mount_lists()
    {
        var pod = UnitText.ParsePod(
            "Volume=old,kind=empty", "Mount=volume=old,target=/old", "Volume=", "Mount=",
            "Volume=new,kind=empty", "Mount=volume=new,target=/new");

        Assert.Equal("new", Assert.Single(pod.Volumes).Name);
        Assert.Equal("/new", Assert.Single(pod.Mounts).Target);
    }

    [Fact]
    public void The_same_volume_may_be_mounted_on_two_targets()
    {
        var pod = UnitText.ParsePod("Volume=data,kind=empty", "Mount=volume=data,target=/a", "Mount=volume=data,target=/b");

        Assert.Equal(2, pod.Mounts.Count);
    }

    [Theory]
    [InlineData("data", "has no kind=")]
    [InlineData("kind=host,source=/srv", "name must come first")]
    [InlineData("Data,kind=empty", "invalid volume name 'Data'")]
    [InlineData("da_ta,kind=empty", "invalid volume name")]
    [InlineData("-data,kind=empty", "invalid volume name")]
    [InlineData("da--ta,kind=empty", "invalid volume name")]
    [InlineData(",kind=empty", "invalid volume name ''")]
    [InlineData("data,kind=tmpfs", "kind=: invalid value 'tmpfs' (expected one of: host, empty)")]
    [InlineData("data,kind=host", "needs source=/path")]
    [InlineData("data,kind=host,source=", "needs source=/path")]
    [InlineData("data,kind=host,source=srv/data", "must be an absolute path")]
    [InlineData("data,kind=empty,source=/srv", "takes no source=")]
    [InlineData("data,kind=empty,readOnly=perhaps", "readOnly=: invalid boolean")]
    [InlineData("data,kind=empty,size=1G", "unknown option 'size' (expected kind, source, readOnly)")]
    [InlineData("data,kind=empty,kind=host", "option 'kind' is given twice")]
    [InlineData("data,kind", "option 'kind' has no value")]
    public void A_bad_Volume_is_an_error(string value, string messagePart)
    {
        UnitText.PodLineError($"Volume={value}", "Volume", messagePart);
    }

    [Fact]
    public void A_volume_name_declared_twice_is_an_error_on_the_second()
    {
        UnitText.SingleError(
            UnitText.Pod("Volume=data,kind=empty", "Volume=data,kind=host,source=/srv"),
            UnitText.FirstExtraLine + 1,
            "Volume",
            "volume 'data' is declared twice");
    }

    [Theory]
    [InlineData("target=/data", "has no volume=")]
    [InlineData("volume=data", "has no target=")]
    [InlineData("volume=data,target=", "has no target=")]
    [InlineData("volume=data,target=data", "must be an absolute path")]
    [InlineData("volume=data,target=/a,readOnly=true", "unknown option 'readOnly'")]
    [InlineData("volume=data,volume=data,target=/a", "option 'volume' is given twice")]
    public void A_bad_Mount_is_an_error(string value, string messagePart)
    {
        UnitText.SingleError(
            UnitText.Pod("Volume=data,kind=empty", $"Mount={value}"),
            UnitText.FirstExtraLine + 1,
            "Mount",
            messagePart);
    }

    [Fact]
    public void A_mount_of_an_undeclared_volume_is_an_error_on_the_mount_line()
    {
        var error = UnitText.SingleError(
            UnitText.Pod("Volume=data,kind=empty", "Mount=volume=logs,target=/logs"),
            UnitText.FirstExtraLine + 1,
            "Mount",
            "undeclared volume 'logs'");

        Assert.Contains("declared: data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mount_of_a_volume_removed_by_a_reset_is_an_error()
    {
        UnitText.SingleError(
            UnitText.Pod("Volume=data,kind=empty", "Mount=volume=data,target=/data", "Volume="),
            UnitText.FirstExtraLine + 1,
            "Mount",
            "no volume is declared");
    }

    [Fact]
    public void Two_mounts_on_one_target_are_an_error()
    {
        UnitText.SingleError(
            UnitText.Pod("Volume=a,kind=empty", "Volume=b,kind=empty", "Mount=volume=a,target=/x", "Mount=volume=b,target=/x"),
            UnitText.FirstExtraLine + 3,
            "Mount",
            "two mounts on target '/x'");
    }
}
