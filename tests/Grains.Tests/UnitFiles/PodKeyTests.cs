using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class PodKeyTests
{
    [Fact]
    public void A_minimal_pod_gets_the_documented_defaults()
    {
        var unit = UnitText.Parse("[Pod]\nImage=busybox\n");

        Assert.Null(unit.Description);
        Assert.Equal(
            new PodSection(1, "busybox", null, [], null, null, null, null, null, Stage1Flavor.Ns, PrivateUsers: true, true, [], [], [], RestartPolicy.No),
            unit.Pod with { Environment = [], Volumes = [], Mounts = [], Ports = [], Apps = [] });
        Assert.Empty(unit.Pod.Apps);
        Assert.Equal(PodNetwork.Default, unit.Pod.Network);
        Assert.Empty(unit.Pod.Environment);
        Assert.Empty(unit.Pod.Volumes);
        Assert.Empty(unit.Pod.Mounts);
        Assert.Empty(unit.Pod.Ports);
        Assert.Equal(new FleetSection(null, null, [], [], false, null), unit.Fleet with { MachineMetadata = [], Conflicts = [] });
    }

    [Theory]
    [InlineData("Stage1=ns", true)]
    [InlineData("Stage1=kvm\nNetwork=none", false)]
    [InlineData("Stage1=fly\nNetwork=host", false)]
    [InlineData("PrivateUsers=no\nPrivateUsers=", true)]
    public void PrivateUsers_defaults_to_yes_for_stage1_ns_only(string lines, bool expected)
    {
        Assert.Equal(expected, UnitText.ParsePod(lines.Split('\n')).PrivateUsers);
    }

    [Fact]
    public void Lists_are_arrays_so_Orleans_can_serialize_them()
    {
        var pod = UnitText.ParsePod("Environment=A=1", "Volume=data,kind=empty", "Mount=volume=data,target=/data", "Port=http:80/tcp");

        Assert.IsType<string[]>(pod.Exec);
        Assert.IsType<EnvironmentVariable[]>(pod.Environment);
        Assert.IsType<VolumeSpec[]>(pod.Volumes);
        Assert.IsType<MountSpec[]>(pod.Mounts);
        Assert.IsType<PortSpec[]>(pod.Ports);
    }

    [Theory]
    [InlineData("busybox")]
    [InlineData("example.com/busybox:1.0")]
    [InlineData("quay.io/coreos/etcd:v3.5.0")]
    [InlineData("sha512-0123456789abcdef")]
    [InlineData("sha256-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public void Image_takes_a_name_or_a_digest(string image)
    {
        Assert.Equal(image, UnitText.Parse($"[Pod]\nImage={image}\n").Pod.Image);
    }

    [Theory]
    [InlineData("sha512-", "invalid digest")]
    [InlineData("sha512-ABCDEF", "invalid digest")]
    [InlineData("sha256-xyz", "invalid digest")]
    [InlineData("sha256-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550", "invalid digest")]
    [InlineData("example.com/busy box", "whitespace")]
    public void A_bad_image_is_an_error(string image, string messagePart)
    {
        UnitText.SingleError($"[Pod]\nImage={image}\n", 2, "Image", messagePart);
    }

    [Fact]
    public void An_empty_Image_is_the_same_as_none()
    {
        UnitText.SingleError("[Pod]\nImage=busybox\nImage=\n", 1, "Image", "no Image=");
    }

    [Fact]
    public void Exec_left_out_is_null_for_the_caller_to_check_against_the_image()
    {
        Assert.Null(UnitText.Parse("[Pod]\nImage=busybox\n").Pod.Exec);
    }

    [Theory]
    [InlineData("/srv/app")]
    [InlineData("/")]
    [InlineData("/srv/my app")]
    [InlineData("/srv/%p")]
    public void WorkingDirectory_takes_an_absolute_path(string path)
    {
        Assert.Equal(path, UnitText.ParsePod($"WorkingDirectory={path}").WorkingDirectory);
    }

    [Theory]
    [InlineData("srv/app")]
    [InlineData("./app")]
    [InlineData("%p")]
    public void A_relative_WorkingDirectory_is_an_error(string path)
    {
        UnitText.PodLineError($"WorkingDirectory={path}", "WorkingDirectory", "must be an absolute path");
    }

    [Theory]
    [InlineData("User", "nobody")]
    [InlineData("User", "0")]
    [InlineData("User", "4294967294")]
    [InlineData("Group", "www-data")]
    [InlineData("Group", "1000")]
    public void User_and_Group_take_a_name_or_a_numeric_id(string key, string value)
    {
        var pod = UnitText.ParsePod($"{key}={value}");

        Assert.Equal(value, key == "User" ? pod.User : pod.Group);
    }

    [Theory]
    [InlineData("User", "4294967295", "out of range")]
    [InlineData("Group", "99999999999", "out of range")]
    [InlineData("User", "no body", "whitespace")]
    public void A_bad_User_or_Group_is_an_error(string key, string value, string messagePart)
    {
        UnitText.PodLineError($"{key}={value}", key, messagePart);
    }

    [Theory]
    [InlineData("ns", Stage1Flavor.Ns)]
    [InlineData("kvm", Stage1Flavor.Kvm)]
    [InlineData("fly", Stage1Flavor.Fly)]
    public void Stage1_names_the_flavor(string value, Stage1Flavor expected)
    {
        Assert.Equal(expected, UnitText.ParsePod($"Stage1={value}").Stage1);
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("KVM")]
    public void An_unknown_Stage1_is_an_error_listing_the_choices(string value)
    {
        UnitText.PodLineError($"Stage1={value}", "Stage1", "(expected one of: ns, kvm, fly)");
    }

    [Theory]
    [InlineData("no", RestartPolicy.No)]
    [InlineData("on-failure", RestartPolicy.OnFailure)]
    [InlineData("always", RestartPolicy.Always)]
    public void Restart_names_the_policy(string value, RestartPolicy expected)
    {
        Assert.Equal(expected, UnitText.ParsePod($"Restart={value}").Restart);
    }

    [Fact]
    public void An_unknown_Restart_is_an_error_listing_the_choices()
    {
        UnitText.PodLineError("Restart=sometimes", "Restart", "invalid value 'sometimes' (expected one of: no, on-failure, always)");
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("true", true)]
    [InlineData("on", true)]
    [InlineData("1", true)]
    [InlineData("YES", true)]
    [InlineData("True", true)]
    [InlineData("no", false)]
    [InlineData("false", false)]
    [InlineData("off", false)]
    [InlineData("0", false)]
    [InlineData("Off", false)]
    public void Booleans_are_spelled_as_in_systemd(string value, bool expected)
    {
        var pod = UnitText.ParsePod($"PrivateUsers={value}", $"Overlay={value}");

        Assert.Equal(expected, pod.PrivateUsers);
        Assert.Equal(expected, pod.Overlay);
    }

    [Theory]
    [InlineData("PrivateUsers", "maybe")]
    [InlineData("Overlay", "2")]
    [InlineData("PrivateUsers", "y")]
    public void A_bad_boolean_is_an_error_listing_the_spellings(string key, string value)
    {
        UnitText.PodLineError($"{key}={value}", key, "(expected yes, no, true, false, on, off, 1 or 0)");
    }
}
