using System.Net;
using System.Net.Sockets;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>
/// A pod with its own user ids, the default of unit files and <c>run</c> for stage1 ns: its host volumes are shifted
/// into them by an idmapped mount, so the pod's root is the directory's root and what it writes is owned by the node's
/// root; on a file system without idmapped mounts the pod fails with a reason naming the volume and the file system.
/// Its network and forwarded ports work as without.
/// </summary>
public sealed class PrivateUsersTests(BusyboxAci aci) : IClassFixture<BusyboxAci>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [RequiresFact(Requires.Root)]
    public async Task A_host_volume_is_shifted_so_the_pods_root_owns_it_as_the_nodes_root_does()
    {
        await using var node = await RuntimeHarness.Start(aci);
        using var host = new TestDirectory();
        File.WriteAllText(Path.Combine(host.Path, "existing"), "node's\n");
        TestFiles.Run("chmod", "755", host.Path);
        var request = node.Request("/bin/sh", "-c", "stat -c %u /data/existing; echo pod\\'s > /data/written && echo wrote; head -1 /proc/self/uid_map | tr -s ' ' ' '") with
        {
            PrivateUsers = true,
            Volumes = [new PodVolume("data", PodVolumeKind.Host, host.Path, ReadOnly: false)],
        };
        request = request with { App = request.App with { Mounts = [new PodMount("data", "/data")] } };

        await node.Runtime.StartPodAsync(request);
        var end = (await node.UntilEnded(request.PodId, Within))[^1];
        var log = await node.Log(request.PodId);

        Assert.True(end.Phase == PodPhase.Exited && end.ExitCode == 0, $"{end}: {log}");
        var lines = log.Split('\n');
        Assert.Equal(["0", "wrote"], lines[..2]);
        // uid_map: "0 BASE 65536", BASE a high id of the node: the pod's root is not the node's.
        var map = lines[2].Trim().Split(' ');
        Assert.Equal("0", map[0]);
        Assert.NotEqual("0", map[1]);
        Assert.Equal(("0", "pod's\n"), (TestFiles.Run("stat", "-c", "%u", Path.Combine(host.Path, "written")).Trim(), File.ReadAllText(Path.Combine(host.Path, "written"))));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_host_volume_on_a_file_system_without_idmapped_mounts_fails_the_pod_naming_the_volume_and_file_system()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/true") with
        {
            PrivateUsers = true,
            Volumes = [new PodVolume("kernel", PodVolumeKind.Host, "/sys/kernel", ReadOnly: true)],
        };
        request = request with { App = request.App with { Mounts = [new PodMount("kernel", "/kernel")] } };

        var reason = await StartAndReadFailure(node, request);

        Assert.StartsWith("volume at /kernel: host directory /sys/kernel is on sysfs, which has no idmapped mounts", reason, StringComparison.Ordinal);
        Assert.Contains("PrivateUsers=no", reason, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task Without_private_users_the_same_host_volume_is_mounted_as_it_is()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "test -d /kernel/mm && echo mounted") with
        {
            Volumes = [new PodVolume("kernel", PodVolumeKind.Host, "/sys/kernel", ReadOnly: true)],
        };
        request = request with { App = request.App with { Mounts = [new PodMount("kernel", "/kernel")] } };

        await node.Runtime.StartPodAsync(request);
        var end = (await node.UntilEnded(request.PodId, Within))[^1];

        Assert.Equal((PodPhase.Exited, 0, "mounted\n"), (end.Phase, end.ExitCode, await node.Log(request.PodId)));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_forwarded_port_reaches_a_pod_with_its_own_user_ids()
    {
        await using var node = await RuntimeHarness.Start(aci);
        int hostPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            hostPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var request = node.Request("/bin/sh", "-c", "mkdir -p /www && echo served with private users > /www/index.html && exec httpd -f -p 8080 -h /www") with
        {
            PrivateUsers = true,
            Ports = [new PodPortForward("http", hostPort, 8080, PodPortProtocol.Tcp)],
        };
        await node.Runtime.StartPodAsync(request);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        var deadline = DateTime.UtcNow + Within;
        string? body = null;
        while (body is null)
        {
            try
            {
                body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{hostPort}/"));
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }

        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);
        Assert.Equal("served with private users\n", body);
    }

    // The shim fails after the launch was accepted (or during it, as the node waits for the pod to start): either way
    // the pod ends failed with the shim's reason.
    private static async Task<string> StartAndReadFailure(RuntimeHarness node, PodLaunchRequest request)
    {
        try
        {
            await node.Runtime.StartPodAsync(request);
        }
        catch (PodLaunchException)
        {
            // Read below from the pod's end, which carries the same reason.
        }

        var end = (await node.UntilEnded(request.PodId, Within))[^1];
        Assert.Equal(PodPhase.Failed, end.Phase);
        return end.Reason ?? "";
    }
}
