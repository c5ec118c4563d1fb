using FleetPods.NodeRuntime;
using Stage1Flavor = FleetPods.Grains.UnitFiles.Stage1Flavor;

namespace FleetPods.Silo.Tests;

public sealed class DaemonOptionTests
{
    [Fact]
    public void Metadata_is_read_as_fleet_took_it()
    {
        var metadata = MetadataOption.Parse(" region=us-east , disk=ssd,empty=");

        Assert.Equal(new Dictionary<string, string> { ["region"] = "us-east", ["disk"] = "ssd", ["empty"] = "" }, metadata);
        Assert.Empty(MetadataOption.Parse(null));
    }

    [Theory]
    [InlineData("disk", "'disk' is not key=value")]
    [InlineData("=ssd", "'=ssd' is not key=value")]
    [InlineData("disk=ssd,disk=hdd", "key 'disk' is given twice")]
    public void Bad_metadata_names_the_pair(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => MetadataOption.Parse(text));

        Assert.Equal("--metadata: " + message, error.Message);
    }

    [Theory]
    [InlineData("node-1", true)]
    [InlineData("a.b_c", true)]
    [InlineData("", false)]
    [InlineData("-leading", false)]
    [InlineData("has space", false)]
    [InlineData("slash/y", false)]
    public void Node_names_are_what_a_host_name_may_hold(string name, bool valid) => Assert.Equal(valid, NodeNames.IsValid(name));

    [Fact]
    public void Stage1_narrows_what_the_machine_can_run_to_the_flavors_named()
    {
        Assert.Null(Stage1Option.Parse(null));
        Assert.Equal([Stage1Flavor.Ns, Stage1Flavor.Fly], Stage1Option.Parse(" ns , fly,ns"));
        Assert.Equal([Stage1Flavor.Ns, Stage1Flavor.Fly, Stage1Flavor.Kvm], Stage1Option.Offered(null, canRunKvm: true));
        Assert.Equal([Stage1Flavor.Ns, Stage1Flavor.Fly], Stage1Option.Offered(null, canRunKvm: false));
        Assert.Equal([Stage1Flavor.Fly], Stage1Option.Offered([Stage1Flavor.Fly], canRunKvm: true));
    }

    [Theory]
    [InlineData("ns,warp", "--stage1: 'warp' is not a stage1 flavor (ns, kvm, fly)")]
    [InlineData("NS", "--stage1: 'NS' is not a stage1 flavor (ns, kvm, fly)")]
    [InlineData(" , ", "--stage1: names no flavor; give one or more of ns, kvm, fly, or leave it out for every flavor this machine can run")]
    public void Stage1_refuses_what_is_no_flavor_by_name(string text, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => Stage1Option.Parse(text)).Message);

    [Theory]
    [InlineData("auto", KvmAccelerator.Auto)]
    [InlineData("kvm", KvmAccelerator.Kvm)]
    [InlineData("tcg", KvmAccelerator.Tcg)]
    public void Kvm_accel_takes_auto_kvm_or_tcg(string text, KvmAccelerator accelerator) => Assert.Equal(accelerator, KvmOptions.ParseAccelerator(text));

    [Fact]
    public void Kvm_accel_refuses_anything_else_by_name()
    {
        var error = Assert.Throws<FormatException>(() => KvmOptions.ParseAccelerator("hvf"));

        Assert.Equal("--kvm-accel 'hvf' is not auto, kvm or tcg", error.Message);
    }

    [Fact]
    public void Kvm_kernel_is_made_absolute_defaults_to_none_and_must_be_a_file()
    {
        var kernel = Path.GetTempFileName();
        try
        {
            var relative = Path.GetRelativePath(Environment.CurrentDirectory, kernel);

            Assert.Equal(kernel, KvmOptions.Kernel(relative));
            Assert.Null(KvmOptions.Kernel(null));
            Assert.Equal("--kvm-kernel '/no/such/vmlinuz' is not a file", Assert.Throws<FormatException>(() => KvmOptions.Kernel("/no/such/vmlinuz")).Message);
        }
        finally
        {
            File.Delete(kernel);
        }
    }
}
