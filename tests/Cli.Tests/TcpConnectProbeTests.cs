using System.Net;
using System.Net.Sockets;
using FleetPods.Cli.Native.Addressing;

namespace FleetPods.Cli.Tests;

/// <summary>The CLI's TCP probe of an endpoint: the kernel's word on a connect, not a race with a timer.</summary>
public sealed class TcpConnectProbeTests
{
    [Fact]
    public void A_connection_the_kernel_made_counts_though_the_probe_looks_after_its_time_ran_out()
    {
        using var listener = Listener(backlog: 16);

        using var probe = TcpConnectProbe.Begin((IPEndPoint)listener.LocalEndPoint!);
        Assert.True(listener.Poll(TimeSpan.FromSeconds(10), SelectMode.SelectRead), "the handshake completes in the listener's queue");

        Assert.True(probe.Answered(TimeSpan.Zero));
    }

    [Fact]
    public void A_closed_port_does_not_answer_and_costs_no_wait()
    {
        var port = ClosedPort();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var probe = TcpConnectProbe.Begin(new IPEndPoint(IPAddress.Loopback, port));

        Assert.False(probe.Answered(TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"a refused connect took {clock.Elapsed}");
    }

    [Fact]
    public void A_port_that_drops_connection_attempts_does_not_answer_within_the_wait()
    {
        // A listener whose accept queue is full: the kernel drops further attempts, as a machine cut off does.
        using var listener = Listener(backlog: 0);
        using var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        filler.Connect(listener.LocalEndPoint!);

        using var probe = TcpConnectProbe.Begin((IPEndPoint)listener.LocalEndPoint!);

        Assert.False(probe.Answered(TimeSpan.FromMilliseconds(300)));
    }

    private static Socket Listener(int backlog)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(backlog);
        return listener;
    }

    private static int ClosedPort()
    {
        using var listener = Listener(backlog: 1);
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
