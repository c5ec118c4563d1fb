using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.Pods;

/// <summary>
/// The one validator, on pods as a .NET caller builds them (no unit file, no flags): every rule a unit file's keys and
/// run's flags are refused by holds for a <see cref="PodSpec"/> made by hand, with the field named.
/// </summary>
public sealed class PodValidatorTests
{
    private static PodSpec Pod(Func<PodSection, PodSection> change, Stage1Flavor stage1 = Stage1Flavor.Ns)
    {
        var spec = PodSpec.ForImage("example.com/busybox", ["/bin/true"], stage1);
        return spec with { Pod = change(spec.Pod) };
    }

    [Theory]
    [InlineData(Stage1Flavor.Ns)]
    [InlineData(Stage1Flavor.Kvm)]
    [InlineData(Stage1Flavor.Fly)]
    public void A_pod_of_an_image_with_its_flavors_defaults_is_valid(Stage1Flavor stage1)
    {
        Assert.Empty(PodValidator.Validate(PodSpec.ForImage("example.com/busybox", null, stage1)));
    }

    [Fact]
    public void A_kvm_pod_asking_for_the_nodes_network_is_refused_in_one_line_naming_kvm()
    {
        var problem = Assert.Single(PodValidator.Validate(Pod(p => p with { Network = PodNetwork.Host }, Stage1Flavor.Kvm)));

        Assert.Equal(PodField.Network, problem.Field);
        Assert.Equal("stage1 kvm runs the pod on its own kernel, which cannot share the node's network (default or none only)", problem.Message);
    }

    [Fact]
    public void A_kvm_pod_gets_the_default_network_and_may_forward_ports()
    {
        var spec = Pod(p => p with { Network = PodNetwork.Default, Ports = [new PortSpec("http", 8080, 80, PortProtocol.Tcp)] }, Stage1Flavor.Kvm);

        Assert.Empty(PodValidator.Validate(spec));
        Assert.Equal(PodNetwork.Default, Stage1Traits.Kvm.DefaultNetwork);
    }

    [Fact]
    public void An_environment_name_a_shell_cannot_read_is_refused_with_its_index_and_app()
    {
        var spec = Pod(p => p with { Apps = [new AppSection(0, "side", "example.com/busybox", null, [new("OK", "1"), new("1X", "y")], null, null, null, [])] });

        var problem = Assert.Single(PodValidator.Validate(spec));

        Assert.Equal((PodField.Environment, "side", 1), (problem.Field, problem.App, problem.Index));
        Assert.Contains("invalid environment variable name '1X'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_in_the_order_of_the_fields()
    {
        var spec = Pod(p => p with
        {
            Exec = ["bin/sh"],
            WorkingDirectory = "tmp",
            User = "4294967295",
            Volumes = [new VolumeSpec("data", VolumeKind.Host, "relative", false)],
            Mounts = [new MountSpec("other", "/data")],
            Ports = [new PortSpec("http", 0, 80, PortProtocol.Tcp)],
            MemoryBytes = 0,
        });

        var fields = PodValidator.Validate(spec).Select(p => p.Field).ToList();

        Assert.Equal([PodField.Volume, PodField.Exec, PodField.WorkingDirectory, PodField.User, PodField.Mount, PodField.Memory, PodField.Port], fields);
    }

    [Theory]
    [InlineData("/", "would hide the app's whole tree")]
    [InlineData("/data/../etc", "must not hold '.' or '..' parts")]
    [InlineData("data", "must be an absolute path")]
    public void A_mount_target_that_is_not_a_clean_path_below_the_root_is_refused(string target, string message)
    {
        var spec = Pod(p => p with { Volumes = [new VolumeSpec("data", VolumeKind.Empty, null, false)], Mounts = [new MountSpec("data", target)] });

        var problem = Assert.Single(PodValidator.Validate(spec));

        Assert.Equal(PodField.Mount, problem.Field);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_needs_the_default_network()
    {
        var spec = Pod(p => p with { Network = PodNetwork.None, Ports = [new PortSpec("http", 8080, 80, PortProtocol.Tcp)] });

        var problem = Assert.Single(PodValidator.Validate(spec));

        Assert.Equal(PodField.Port, problem.Field);
        Assert.Contains("it needs the default network", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_with_a_nul_character_is_refused()
    {
        var problems = PodValidator.Validate(Pod(p => p with { Exec = ["/bin/echo", "a\0b"], Environment = [new("A", "x\0")] }));

        Assert.Equal([PodField.Exec, PodField.Environment], problems.Select(p => p.Field));
    }

    [Theory]
    [InlineData(Stage1Flavor.Kvm, 0, "stage1 kvm does not relay input")]
    [InlineData(Stage1Flavor.Ns, 1, "input and a terminal reach one app, and the pod has 2")]
    public void A_console_is_refused_where_it_cannot_reach_the_app(Stage1Flavor stage1, int moreApps, string message)
    {
        var spec = Pod(p => p with { Apps = [.. Enumerable.Range(0, moreApps).Select(i => new AppSection(0, $"a{i}", "example.com/busybox", null, [], null, null, null, []))] }, stage1)
            with { Console = new PodConsole(true, null) };

        var problem = Assert.Single(PodValidator.Validate(spec));

        Assert.Equal(PodField.Console, problem.Field);
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_units_pod_has_no_console()
    {
        var spec = new PodSpec("web.pod", PodSpec.ForImage("example.com/busybox", null).Pod) { Console = new PodConsole(true, null) };

        Assert.Equal(PodField.Console, Assert.Single(PodValidator.Validate(spec)).Field);
    }

    [Fact]
    public void Require_throws_one_exception_naming_every_problem()
    {
        var spec = Pod(p => p with { Exec = ["sh"], Apps = [new AppSection(0, "app", "example.com/busybox", null, [], null, null, null, [])] });

        var refused = Assert.Throws<PodSpecException>(() => PodValidator.Require(spec));

        Assert.Equal(2, refused.Problems.Count);
        Assert.Equal("invalid pod: the program 'sh' must be an absolute path (e.g. /bin/sh -c \"echo hi\"); invalid app name 'app' (lower-case letters, digits and inner single dashes, e.g. data-1; 'app' is the [Pod] section's own)", refused.Message);
    }
}
