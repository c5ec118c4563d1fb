namespace FleetPods.EndToEnd.Tests;

/// <summary><c>fleetpods run</c> against a real fleetpodsd, with a real pod in Linux namespaces.</summary>
public sealed class RunTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();

    public RunTests(BusyboxImage image) => this.image = image;

    public async Task InitializeAsync()
    {
        await daemon.StartWith(image);
    }

    public async Task DisposeAsync() => await daemon.DisposeAsync();

    [RequiresFact(Requires.Root)]
    public async Task Run_is_pid_1_in_its_own_namespaces_and_exits_with_the_apps_code()
    {
        var result = await daemon.Cli("run", BusyboxImage.Name, "--", "/bin/sh", "-c", "echo $$; hostname; exit 3");

        Assert.True(result.ExitCode == 3, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1", lines[0]);
        Assert.StartsWith("fleetpods-", lines[1], StringComparison.Ordinal);
        Assert.NotEqual(Environment.MachineName, lines[1]);
    }

    [RequiresFact(Requires.Root)]
    public async Task Run_without_a_command_runs_the_images_own_exec()
    {
        var result = await daemon.Cli("run", BusyboxImage.Name);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hello from busybox\n", result.Stdout);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_that_cannot_start_prints_why_and_exits_non_zero()
    {
        var result = await daemon.Cli("run", BusyboxImage.Name, "--", "/bin/no-such-program");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("/bin/no-such-program", result.Stderr, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task Run_of_an_image_not_in_the_store_fails_with_a_clear_line()
    {
        var result = await daemon.Cli("run", "example.com/not-imported", "--", "/bin/true");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("image 'example.com/not-imported' is on no node of the cluster", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task Image_list_shows_the_imported_image_with_its_sha512_digest()
    {
        var images = await daemon.CliJson("image", "list");

        var busybox = Assert.Single(images.GetProperty("images").EnumerateArray());
        Assert.Equal(BusyboxImage.Name, busybox.GetProperty("name").GetString());
        Assert.Matches("^sha512-[0-9a-f]{128}$", busybox.GetProperty("digest").GetString());
        Assert.Equal("aci", busybox.GetProperty("format").GetString());
        Assert.Equal(daemon.NodeName, busybox.GetProperty("node").GetString());
    }
}
