using Microsoft.Extensions.Logging.Abstractions;

namespace FleetPods.NodeRuntime.Tests.Kvm;

/// <summary>
/// Readies stage1 kvm once for every kvm test: builds the initramfs and probes the accelerator on a node of its own
/// (on these machines the probe waits out its timeout on a /dev/kvm that cannot boot the guest, and takes TCG), so
/// each test's fresh node is told the answer instead of probing again.
/// </summary>
public sealed class KvmGuest : IAsyncLifetime
{
    private readonly string data = Directory.CreateTempSubdirectory("fleetpods-kvm-probe-").FullName;

    public KvmAccelerator Accelerator { get; private set; }

    /// <summary>The data directory the probe ran on, which keeps its answer.</summary>
    public string ProbedDataDirectory => data;

    public TimeSpan ProbeTime { get; private set; }

    public async Task InitializeAsync()
    {
        var runtime = new PodRuntime(new NodeRuntimeOptions(data), NullLogger<PodRuntime>.Instance);
        await using (runtime)
        {
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            Accelerator = await runtime.PrepareKvmAsync();
            ProbeTime = stopwatch.Elapsed;
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(data, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A node told the probed accelerator, as <c>--kvm-accel</c> would tell it, and any other options.</summary>
    public Task<RuntimeHarness> StartNode(BusyboxAci aci, Func<NodeRuntimeOptions, NodeRuntimeOptions>? more = null) =>
        RuntimeHarness.Start(aci, o => (more ?? (same => same))(o with { KvmAccelerator = Accelerator }));
}
