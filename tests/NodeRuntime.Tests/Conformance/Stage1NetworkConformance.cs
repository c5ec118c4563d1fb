using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>
/// The network part of the stage1 conformance suite, for the flavors that give a pod an address of its own on the
/// node's bridge (ns: a veth pair; kvm: a tap and a virtio-net device): <c>--net none</c>, the address plan, NAT, the
/// node's isolation from its pods, pods reaching each other, and forwarded ports. Declared once and run by
/// <see cref="NsStage1NetworkTests"/> and <see cref="KvmStage1NetworkTests"/>; fly, which shares the node's network by
/// design, does not run it.
/// </summary>
public abstract class Stage1NetworkConformance(BusyboxAci aci, OutsideNetwork outside) : Stage1Suite(aci)
{
    [RequiresFact(Requires.Root)]
    public async Task With_net_none_the_pod_has_loopback_only_and_cannot_reach_the_hosts_127_0_0_1()
    {
        await using var node = await StartNode();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // The pod's own loopback answers (so the probe can tell), the node's does not.
        var request = Request(
            node,
            "/bin/sh",
            "-c",
            "ip -o link | cut -d: -f2 | tr -d ' \\n'; echo; mkdir -p /www && echo own > /www/index.html && httpd -p 127.0.0.1:8081 -h /www; "
            + "for i in $(seq 50); do wget -q -O - http://127.0.0.1:8081/ 2>/dev/null && break; sleep 0.1; done; "
            + $"nc -w 2 127.0.0.1 {port} </dev/null 2>/dev/null && echo reached || echo unreachable") with { Network = PodNetworkMode.None };

        var (_, log) = await Run(node, request);

        Assert.Equal("lo\nown\nunreachable\n", log);
        Assert.False(listener.Pending(), "the pod's connection reached the node's 127.0.0.1");
    }

    [RequiresFact(Requires.Root)]
    public async Task With_the_default_network_the_pod_has_an_address_on_the_nodes_bridge_and_reaches_the_outside_through_nat()
    {
        await using var node = await StartNode();
        var received = await outside.ReceiveOnce(7213);
        var request = Request(node, "/bin/sh", "-c", $"ip -o -4 addr show eth0 | awk '{{print $4}}'; ip route | grep default; echo hello | nc -w 2 {outside.Address} 7213 && echo sent");

        var (_, log) = await Run(node, request);

        var lines = log.Split('\n');
        Assert.Matches(@"^10\.213\.\d+\.\d+/16$", lines[0]);
        Assert.StartsWith("default via 10.213.0.1 dev eth0", lines[1], StringComparison.Ordinal);
        Assert.Equal("sent", lines[2]);
        Assert.Equal("hello\n", await received.WaitAsync(Within));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_cannot_open_connections_to_the_node_itself()
    {
        await using var node = await StartNode();
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var request = Request(node, "/bin/sh", "-c", $"nc -w 1 10.213.0.1 {port} </dev/null 2>/dev/null && echo reached || echo unreachable");

        var (_, log) = await Run(node, request);

        Assert.Equal("unreachable\n", log);
        Assert.False(listener.Pending(), "the pod's connection reached the node's listener");
    }

    [RequiresFact(Requires.Root)]
    public async Task Two_pods_on_the_bridge_have_their_own_addresses_and_macs_and_reach_each_other_but_not_the_node()
    {
        await using var node = await StartNode();
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        const string Identity = "ip -o -4 addr show eth0 | awk '{print $4}' | cut -d/ -f1; cat /sys/class/net/eth0/address; ";
        var server = Request(node, "/bin/sh", "-c", Identity + "mkdir -p /www && echo from the first pod > /www/index.html && echo ready && exec httpd -f -p 8080 -h /www");
        await node.Runtime.StartPodAsync(server);
        await WaitForLog(node, server.PodId, "ready");
        var serverLines = (await node.Log(server.PodId)).Split('\n');
        var client = Request(
            node,
            "/bin/sh",
            "-c",
            Identity + $"wget -q -O - http://{serverLines[0]}:8080/; nc -w 1 10.213.0.1 {port} </dev/null 2>/dev/null && echo reached || echo unreachable");

        var (end, log) = await Run(node, client);
        await node.Runtime.StopPodAsync(server.PodId, TimeSpan.Zero);

        var clientLines = log.Split('\n');
        Assert.True(clientLines.Length >= 4, $"the second pod ended {end} and wrote: {log}");
        Assert.Matches(@"^10\.213\.\d+\.\d+$", serverLines[0]);
        Assert.Matches(@"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$", serverLines[1]);
        Assert.NotEqual(serverLines[0], clientLines[0]);
        Assert.NotEqual(serverLines[1], clientLines[1]);
        Assert.Equal(["from the first pod", "unreachable"], clientLines[2..4]);
        Assert.False(listener.Pending(), "a pod's connection reached the node's listener");
    }

    [RequiresFact(Requires.Root)]
    public async Task A_forwarded_port_answers_on_the_nodes_addresses_and_is_gone_with_the_pod()
    {
        await using var node = await StartNode();
        var hostPort = TestPorts.Reserve();
        var request = Request(node, "/bin/sh", "-c", "mkdir -p /www && echo served by the pod > /www/index.html && exec httpd -f -p 8080 -h /www") with
        {
            Ports = [new PodPortForward("http", hostPort, 8080, PodPortProtocol.Tcp)],
        };
        await node.Runtime.StartPodAsync(request);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var nodeAddress = NodeAddress();

        var fromLoopback = await Retry(() => http.GetStringAsync(new Uri($"http://127.0.0.1:{hostPort}/")));
        var fromNodeAddress = await Retry(() => http.GetStringAsync(new Uri($"http://{nodeAddress}:{hostPort}/")));
        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);

        Assert.Equal("served by the pod\n", fromLoopback);
        Assert.Equal("served by the pod\n", fromNodeAddress);
        using var afterwards = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => afterwards.ConnectAsync(IPAddress.Loopback, hostPort));
    }

    // An address of the node on an interface of its own (not loopback, not the pods' bridge), as a client elsewhere uses.
    private static IPAddress NodeAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback && !i.Name.StartsWith("fleetpods", StringComparison.Ordinal) && !i.Name.StartsWith("fp", StringComparison.Ordinal))
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .First(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}
