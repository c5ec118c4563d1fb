namespace FleetPods.EndToEnd.Tests;

/// <summary><c>fleetpodsd --stage1</c> naming a flavor that is none, or one this machine cannot run, stops it at start with one line.</summary>
public sealed class Stage1OptionStartupTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly string work = Directory.CreateTempSubdirectory("fleetpods-stage1-option-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task A_name_that_is_no_flavor_is_refused_with_exit_code_2()
    {
        var result = await Processes.Run("dotnet", [RepositoryLayout.Daemon, "--data-dir", Path.Combine(work, "data"), "--stage1", "ns,warp"], Within);

        Assert.Equal((2, "fleetpodsd: --stage1: 'warp' is not a stage1 flavor (ns, kvm, fly)\n"), (result.ExitCode, result.Stderr));
    }

    [RequiresFact(Requires.Root)]
    public async Task Kvm_on_a_machine_whose_guest_kernel_is_no_kernel_is_refused_with_exit_code_2()
    {
        var notAKernel = Path.Combine(work, "vmlinuz");
        await File.WriteAllTextAsync(notAKernel, "not a kernel");
        var pki = await TestPki.Shared;

        var result = await Processes.Run("dotnet", [RepositoryLayout.Daemon, "--data-dir", Path.Combine(work, "data"), "--pki-dir", pki.Directory.Path,
            "--silo-port", $"{TestPorts.Reserve()}", "--gateway-port", $"{TestPorts.Reserve()}", "--api-port", $"{TestPorts.Reserve()}",
            "--stage1", "ns,kvm", "--kvm-kernel", notAKernel], Within);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("fleetpodsd: --stage1: this machine cannot run stage1 kvm: ", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("ready", result.Stdout, StringComparison.Ordinal);
    }
}
