using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

/// <summary><c>[App NAME]</c> sections (a pod of several apps, as rkt's) and <c>Network=</c>.</summary>
public sealed class AppSectionTests
{
    [Fact]
    public void Each_app_section_is_one_more_app_with_its_own_image_command_identity_and_mounts()
    {
        var unit = UnitText.Parse(UnitText.Pod("Volume=shared,kind=empty", "Mount=volume=shared,target=/shared") + """
            [App sidecar]
            Image=example.com/busybox:1.0
            Exec=/bin/sh -c "echo %n"
            Environment=ROLE=sidecar
            User=nobody
            Group=nogroup
            WorkingDirectory=/tmp
            Mount=volume=shared,target=/data
            """);

        var app = Assert.Single(unit.Pod.Apps);
        Assert.Equal(
            (6, "sidecar", "example.com/busybox:1.0", "/bin/sh|-c|echo %n", "ROLE=sidecar", "/tmp", "nobody", "nogroup", "shared:/data"),
            (app.SectionLine, app.Name, app.Image, string.Join('|', app.Exec!), string.Join(' ', app.Environment.Select(v => $"{v.Name}={v.Value}")),
                app.WorkingDirectory, app.User, app.Group, string.Join(' ', app.Mounts.Select(m => $"{m.Volume}:{m.Target}"))));
    }

    [Fact]
    public void App_specifiers_are_expanded_with_the_pods()
    {
        var unit = UnitText.Parse(UnitText.Pod() + "[App two]\nImage=example.com/%p\nExec=/bin/echo %m\n");

        var expanded = UnitSpecifiers.Expand(unit, new SpecifierContext("web.pod", "node-1"));

        Assert.Equal(("example.com/web", "node-1"), (expanded.Pod.Apps[0].Image, expanded.Pod.Apps[0].Exec![1]));
    }

    [Fact]
    public void An_app_takes_only_an_apps_keys()
    {
        var error = UnitText.SingleError(UnitText.Pod() + "[App two]\nImage=busybox\nMemory=1G\n", 6, "Memory", "unknown key 'Memory' in [App two]");

        Assert.Contains("accepted: Image, Exec, Environment, WorkingDirectory, User, Group, SupplementaryGroups, Mount)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_app_without_an_image_or_mounting_an_undeclared_volume_is_an_error_naming_its_line()
    {
        var errors = UnitText.Errors(UnitText.Pod() + "[App two]\nExec=/bin/true\nMount=volume=data,target=/data\n");

        Assert.Equal([(4, "Image"), (6, "Mount")], errors.Select(e => (e.Line, e.Key)));
    }

    [Theory]
    [InlineData("App Two")]
    [InlineData("App app")]
    [InlineData("App ")]
    public void An_app_name_that_is_not_an_ac_name_or_is_app_is_refused(string header)
    {
        UnitText.SingleError(UnitText.Pod() + $"[{header}]\nImage=busybox\n", 4, "", "invalid app name");
    }

    [Theory]
    [InlineData("Network=host", PodNetwork.Host)]
    [InlineData("Network=none", PodNetwork.None)]
    [InlineData("Network=default", PodNetwork.Default)]
    [InlineData("Network=", PodNetwork.Default)]
    public void Network_names_the_pods_network(string line, PodNetwork expected)
    {
        Assert.Equal(expected, UnitText.ParsePod("Network=none", line).Network);
    }

    [Fact]
    public void An_unknown_network_is_refused()
    {
        UnitText.PodLineError("Network=bridge", "Network");
    }
}
