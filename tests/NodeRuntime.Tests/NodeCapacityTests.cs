using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleetPods.NodeRuntime.Tests;

public sealed class NodeCapacityTests : IDisposable
{
    private readonly string data = Directory.CreateTempSubdirectory("fleetpods-capacity-").FullName;

    public void Dispose() => Directory.Delete(data, recursive: true);

    [Fact]
    public async Task Capacity_is_this_machines_cpus_in_millicores_and_its_total_memory()
    {
        await using var runtime = new PodRuntime(new NodeRuntimeOptions(data), NullLogger<PodRuntime>.Instance);
        var memTotalKb = long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

        var capacity = runtime.ReadCapacity();

        Assert.InRange(capacity.CpuMillis, 1, Environment.ProcessorCount * 1000);
        Assert.Equal(memTotalKb * 1024, capacity.MemoryBytes);
    }
}
