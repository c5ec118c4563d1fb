namespace FleetPods.EndToEnd.Tests;

/// <summary><c>fleetpods run --stage1 kvm</c> against a real fleetpodsd: the pod boots in a qemu microVM (TCG on these machines).</summary>
[Trait("Category", "kvm")]
[Requires(Requires.Qemu)]
public sealed class KvmRunTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();

    public KvmRunTests(BusyboxImage image) => this.image = image;

    public async Task InitializeAsync()
    {
        await daemon.Start();
        var imported = await daemon.Cli("image", "import", image.Path);
        Assert.True(imported.ExitCode == 0, imported.ToString());
    }

    public async Task DisposeAsync() => await daemon.DisposeAsync();

    [RequiresFact(Requires.Root)]
    public async Task Run_with_stage1_kvm_prints_the_guests_kernel_exits_with_the_apps_code_and_list_machines_shows_the_accelerator()
    {
        var before = await daemon.CliJson("list-machines");

        var result = await daemon.Cli("run", "--stage1", "kvm", BusyboxImage.Name, "--", "/bin/sh", "-c", "cat /proc/cmdline; hostname; exit 4");
        var after = await daemon.CliJson("list-machines");

        Assert.True(result.ExitCode == 4, result.ToString() + daemon.Log);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("fleetpods.pod=", lines[0], StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllText("/proc/cmdline").Trim(), lines[0]);
        Assert.StartsWith("fleetpods-", lines[1], StringComparison.Ordinal);
        Assert.Equal("auto", before[0].GetProperty("kvmAccelerator").GetString());
        Assert.Matches("^(kvm|tcg)$", after[0].GetProperty("kvmAccelerator").GetString());
        Assert.Contains("kvm", after[0].GetProperty("stage1Flavors").EnumerateArray().Select(f => f.GetString()));
    }

    [RequiresFact(Requires.Root)]
    public async Task Run_with_stage1_kvm_and_a_port_serves_the_vms_http_on_the_node()
    {
        using var control = new ControlDirectory();
        var hostPort = TestPorts.Reserve();
        var run = daemon.Cli(
            "run", "--stage1", "kvm", "--port", $"http:{hostPort}:8080/tcp",
            "--volume", $"ctl,kind=host,source={control.Path}", "--mount", "volume=ctl,target=/ctl",
            BusyboxImage.Name, "--", "/bin/sh", "-c",
            "mkdir -p /www && echo served from the vm > /www/index.html && httpd -p 8080 -h /www && echo serving && while [ ! -e /ctl/stop ]; do sleep 0.2; done");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        string? body = null;
        // Within the CLI's own 90 s, so the run is still there to stop.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(80);
        while (body is null && !run.IsCompleted && DateTime.UtcNow < deadline)
        {
            try
            {
                body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{hostPort}/"));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not forwarded yet, or the VM not answering yet: its boot takes seconds under TCG.
                await Task.Delay(200);
            }
        }

        control.TellPodsToStop();
        var result = await run;

        Assert.True(result.ExitCode == 0, result.ToString() + daemon.Log);
        Assert.Equal("served from the vm\n", body);
        Assert.Equal("serving\n", result.Stdout);
    }
}
