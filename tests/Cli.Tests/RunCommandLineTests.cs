extern alias run;

using FleetPods.Grains;
using FleetPods.Grains.UnitFiles;
using CliException = run::FleetPods.Cli.CliException;
using RunCommandLine = run::FleetPods.Cli.RunCommandLine;

namespace FleetPods.Cli.Tests;

/// <summary>How <c>run</c>'s words become a pod, as both the native command's daemon and the cluster client parse them.</summary>
public sealed class RunCommandLineTests
{
    [Fact]
    public void Every_word_before_the_double_dash_is_an_image_as_with_rkt()
    {
        var pod = Parse("example.com/busybox", "example.com/redis:7").Pod;

        Assert.Equal(("example.com/busybox", null), (pod.Image, pod.Exec));
        var second = Assert.Single(pod.Apps);
        Assert.Equal(("redis", "example.com/redis:7", null), (second.Name, second.Image, second.Exec));
    }

    [Fact]
    public void Without_a_double_dash_a_command_is_taken_as_images_too()
    {
        var pod = Parse("example.com/busybox", "/bin/echo", "hi").Pod;

        Assert.Equal(["/bin/echo", "hi"], pod.Apps.Select(a => a.Image));
        Assert.Null(pod.Exec);
    }

    [Fact]
    public void The_words_after_the_double_dash_are_the_first_apps_command()
    {
        var pod = Parse("example.com/busybox", "example.com/redis", "--", "/bin/echo", "--net", "none").Pod;

        Assert.Equal(["/bin/echo", "--net", "none"], pod.Exec);
        Assert.Equal("example.com/redis", Assert.Single(pod.Apps).Image);
        Assert.Equal(PodNetwork.Default, pod.Network);
    }

    [Fact]
    public void A_trailing_double_dash_ends_the_images_without_a_command()
    {
        var pod = Parse("example.com/busybox", "example.com/redis", "--").Pod;

        Assert.Null(pod.Exec);
        Assert.Single(pod.Apps);
    }

    [Theory]
    [InlineData("--net host: stage1 kvm runs the pod on its own kernel, which cannot share the node's network (default or none only)", "--stage1", "kvm", "--net", "host")]
    [InlineData("--private-users: stage1 kvm", "--stage1", "kvm", "--private-users")]
    [InlineData("--net default: stage1 fly shares the node's network (host only)", "--stage1", "fly", "--net", "default")]
    [InlineData("--net none: stage1 fly", "--stage1", "fly", "--net", "none")]
    [InlineData("--port 'http:8080:80/tcp': stage1 fly", "--stage1", "fly", "--port", "http:8080:80/tcp")]
    [InlineData("--private-users: stage1 fly", "--stage1", "fly", "--private-users")]
    [InlineData("2 images: stage1 fly runs one app", "--stage1", "fly", "example.com/redis")]
    public void A_flag_the_flavor_cannot_honour_is_refused_in_one_line_naming_both(string message, params string[] flags)
    {
        var refused = Assert.Throws<CliException>(() => Parse([.. flags, "example.com/busybox"]));

        Assert.StartsWith(message, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Theory]
    [InlineData("--set-env '1X=y': invalid environment variable name '1X'", "--set-env", "1X=y")]
    [InlineData("--volume 'Data,kind=empty': invalid volume name 'Data'", "--volume", "Data,kind=empty")]
    [InlineData("--mount 'volume=data,target=/': a mount on '/' would hide", "--volume", "data,kind=empty", "--mount", "volume=data,target=/")]
    [InlineData("--port 'web:0/tcp': port number 0 is out of range", "--port", "web:0/tcp")]
    [InlineData("--user: user id 4294967295 is out of range", "--user", "4294967295")]
    [InlineData("--port 'web:8080/tcp': it needs the default network", "--net", "none", "--port", "web:8080/tcp")]
    public void A_flag_a_unit_files_key_would_refuse_is_refused_in_the_same_words_naming_the_flag(string message, params string[] flags)
    {
        var refused = Assert.Throws<CliException>(() => Parse([.. flags, "example.com/busybox"]));

        Assert.StartsWith(message.Split(": ")[0], refused.Message, StringComparison.Ordinal);
        Assert.Contains(message.Split(": ", 2)[1], refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_variable_set_twice_keeps_the_last_value_as_in_a_unit_file()
    {
        var pod = Parse(["--set-env", "A=1", "--set-env", "B=2", "--set-env", "A=3", "example.com/busybox"]).Pod;

        Assert.Equal([new("A", "3"), new("B", "2")], pod.Environment);
    }

    [Theory]
    [InlineData(Stage1Flavor.Kvm, "--stage1", "kvm")]
    [InlineData(Stage1Flavor.Kvm, "--stage1", "kvm", "--net", "none")]
    [InlineData(Stage1Flavor.Kvm, "--stage1", "kvm", "--net", "default", "--port", "http:8080:80/tcp")]
    [InlineData(Stage1Flavor.Fly, "--stage1", "fly", "--net", "host")]
    [InlineData(Stage1Flavor.Ns, "--net", "default", "--port", "http:8080:80/tcp", "--private-users")]
    public void What_the_flavor_honours_is_accepted(Stage1Flavor flavor, params string[] flags)
    {
        Assert.Equal(flavor, Parse([.. flags, "example.com/busybox"]).Pod.Stage1);
    }

    [Theory]
    [InlineData(true, "example.com/busybox")]
    [InlineData(true, "--private-users", "example.com/busybox")]
    [InlineData(true, "--private-users", "true", "example.com/busybox")]
    [InlineData(false, "--private-users", "false", "example.com/busybox")]
    [InlineData(false, "--stage1", "kvm", "example.com/busybox")]
    [InlineData(false, "--stage1", "fly", "example.com/busybox")]
    public void Ns_pods_get_their_own_user_ids_unless_told_not_to(bool expected, params string[] words)
    {
        Assert.Equal(expected, Parse(words).Pod.PrivateUsers);
    }

    private static PodSpec Parse(params string[] words) => new RunCommandLine().Parse(words);
}
