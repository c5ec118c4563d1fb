namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// User namespaces by default: a stage1 ns pod's root is an unused id range of the node, unless the pod asks for the
/// node's ids (<c>PrivateUsers=no</c>, <c>--private-users=false</c>); its host volumes are shifted into its ids.
/// </summary>
public sealed class UserNamespaceTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();
    private readonly string work = Directory.CreateTempSubdirectory("fleetpods-userns-").FullName;

    public UserNamespaceTests(BusyboxImage image) => this.image = image;

    public async Task InitializeAsync()
    {
        await daemon.StartWith(image);
    }

    public async Task DisposeAsync()
    {
        await daemon.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_default_pod_is_root_inside_and_a_high_id_of_the_node_outside()
    {
        var shifted = await daemon.Cli("run", BusyboxImage.Name, "--", "/bin/sh", "-c", "id -u; head -1 /proc/self/uid_map | tr -s ' ' ' '");
        var shared = await daemon.Cli("run", "--private-users", "false", BusyboxImage.Name, "--", "/bin/sh", "-c", "head -1 /proc/self/uid_map | tr -s ' ' ' '");

        Assert.True(shifted.ExitCode == 0, shifted.ToString());
        var lines = shifted.Stdout.Split('\n');
        Assert.Equal("0", lines[0]);
        var map = lines[1].Trim().Split(' ');
        Assert.Equal("0", map[0]);
        Assert.True(long.Parse(map[1], System.Globalization.CultureInfo.InvariantCulture) >= 65536, $"uid_map: {lines[1]}");
        Assert.Equal("65536", map[2]);
        Assert.True(shared.ExitCode == 0, shared.ToString());
        Assert.Equal("0 0 4294967295", shared.Stdout.Trim());
    }

    [RequiresFact(Requires.Root)]
    public async Task A_unit_pods_host_volume_is_shifted_so_what_its_root_writes_is_the_nodes_roots()
    {
        var data = Directory.CreateDirectory(Path.Combine(work, "data")).FullName;
        var unit = Path.Combine(work, "writer.pod");
        File.WriteAllText(unit, $"[Pod]\nImage={BusyboxImage.Name}\nExec=/bin/sh -c \"id -u > /data/.who && mv /data/.who /data/who\"\nVolume=data,kind=host,source={data}\nMount=volume=data,target=/data\n");

        var started = await daemon.Cli("start", unit);
        var pod = await daemon.WaitForPhase("writer.pod", "exited", TimeSpan.FromSeconds(60));

        Assert.True(started.ExitCode == 0, started.ToString());
        Assert.Equal(0, pod.GetProperty("exitCode").GetInt32());
        Assert.Equal("0\n", File.ReadAllText(Path.Combine(data, "who")));
        var owner = await Processes.Run("stat", ["-c", "%u", Path.Combine(data, "who")], TimeSpan.FromSeconds(10));
        Assert.Equal("0\n", owner.Stdout);
    }
}
