namespace FleetPods.Grains.Tests.UnitFiles;

/// <summary>A setting a stage1 flavor cannot honour is refused at submit, on its own line, naming the flavor.</summary>
public sealed class Stage1LimitTests
{
    [Theory]
    [InlineData("Stage1=kvm", "Network=host", "Network", "stage1 kvm runs the pod on its own kernel, which cannot share the node's network (default or none only)")]
    [InlineData("Stage1=kvm", "PrivateUsers=yes", "PrivateUsers", "stage1 kvm")]
    [InlineData("Stage1=fly", "Network=default", "Network", "stage1 fly shares the node's network (host only)")]
    [InlineData("Stage1=fly", "Network=none", "Network", "stage1 fly")]
    [InlineData("Stage1=fly", "Port=http:8080:80/tcp", "Port", "stage1 fly")]
    [InlineData("Stage1=fly", "PrivateUsers=yes", "PrivateUsers", "stage1 fly")]
    public void A_setting_the_flavor_cannot_honour_is_an_error_on_its_line(string flavor, string setting, string key, string message)
    {
        UnitText.SingleError(UnitText.Pod(flavor, setting), UnitText.FirstExtraLine + 1, key, message);
    }

    [Fact]
    public void The_flavor_given_after_the_setting_still_refuses_it()
    {
        UnitText.SingleError(UnitText.Pod("Network=host", "Stage1=kvm"), UnitText.FirstExtraLine, "Network", "stage1 kvm");
    }

    [Fact]
    public void Several_apps_under_fly_are_an_error_at_the_first_app_section()
    {
        var error = UnitText.SingleError(UnitText.Pod("Stage1=fly") + "[App two]\nImage=example.com/two\n", UnitText.FirstExtraLine + 1, "");

        Assert.Equal("[App two]: stage1 fly runs one app (several apps need stage1 ns)", error.Message);
    }

    [Theory]
    [InlineData("Stage1=kvm")]
    [InlineData("Stage1=kvm", "Network=none")]
    [InlineData("Stage1=kvm", "Network=default", "Port=http:8080:80/tcp")]
    [InlineData("Stage1=fly")]
    [InlineData("Stage1=fly", "Network=host")]
    [InlineData("Stage1=ns", "Network=default", "Port=http:8080:80/tcp", "PrivateUsers=yes")]
    [InlineData("Stage1=kvm", "Network=default", "Network=")]
    public void What_the_flavor_honours_is_accepted(params string[] lines)
    {
        UnitText.ParsePod(lines);
    }
}
