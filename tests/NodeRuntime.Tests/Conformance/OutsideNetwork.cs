using System.Diagnostics;
using System.Globalization;

namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>
/// A machine outside the node, for pods to reach through the node's NAT: a network namespace joined to the host by a
/// veth pair on a /30 of its own. It has no route back to the pods' range, so a pod's connection that arrives there
/// and is answered was masqueraded by the node. Each instance has a /30 and names of its own, so the suites of two
/// flavors that run at once each have their outside machine.
/// </summary>
public sealed class OutsideNetwork : IDisposable
{
    private static int instances;

    private readonly int index = (Interlocked.Increment(ref instances) - 1) % 64;
    private readonly string name;
    private readonly string veth;

    public OutsideNetwork()
    {
        name = string.Create(CultureInfo.InvariantCulture, $"fp-outside-{Environment.ProcessId}-{index}");
        veth = string.Create(CultureInfo.InvariantCulture, $"fpo{Environment.ProcessId % 100000}x{index}");
        RemoveAbandoned();
        TestFiles.Run("ip", "netns", "add", name);
        TestFiles.Run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", name);
        TestFiles.Run("ip", "addr", "add", string.Create(CultureInfo.InvariantCulture, $"192.168.213.{(4 * index) + 1}/30"), "dev", veth);
        TestFiles.Run("ip", "link", "set", veth, "up");
        TestFiles.Run("ip", "-n", name, "addr", "add", Address + "/30", "dev", "eth0");
        TestFiles.Run("ip", "-n", name, "link", "set", "eth0", "up");
        TestFiles.Run("ip", "-n", name, "link", "set", "lo", "up");
    }

    /// <summary>The outside machine's address.</summary>
    public string Address => string.Create(CultureInfo.InvariantCulture, $"192.168.213.{(4 * index) + 2}");

    /// <summary>
    /// Listens on <paramref name="port"/> outside for one connection, returning once the port accepts connections;
    /// the task it returns completes with what the connection sent.
    /// </summary>
    public async Task<Task<string>> ReceiveOnce(int port)
    {
        // stdin stays open: busybox nc stops reading the connection once its stdin ends. Its -w bounds the wait for
        // the connection, which a kvm pod opens only after its VM has booted (seconds under TCG on a busy machine).
        var start = new ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "netns", "exec", name, "busybox", "nc", "-l", "-p", port.ToString(CultureInfo.InvariantCulture), "-w", "90" })
        {
            start.ArgumentList.Add(argument);
        }

        var listener = Process.Start(start)!;
        var received = Task.Run(async () =>
        {
            using (listener)
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(100)))
            using (timeout.Token.Register(() => listener.Kill(entireProcessTree: true)))
            {
                var text = await listener.StandardOutput.ReadToEndAsync();
                await listener.WaitForExitAsync();
                return text;
            }
        });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (TestFiles.Run("ip", "netns", "exec", name, "ss", "-Hltn", $"sport = :{port}").Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline && !received.IsCompleted, $"nothing listens on port {port} outside");
            await Task.Delay(20);
        }

        return received;
    }

    public void Dispose()
    {
        TestFiles.Run("ip", "netns", "del", name);
    }

    // A test process that was killed left its outside machine, whose address would take this one's route.
    private static void RemoveAbandoned()
    {
        foreach (var line in TestFiles.Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var namespaceName = line.Split(' ')[0];
            if (namespaceName.StartsWith("fp-outside-", StringComparison.Ordinal)
                && int.TryParse(namespaceName["fp-outside-".Length..].Split('-')[0], CultureInfo.InvariantCulture, out var owner)
                && !Directory.Exists($"/proc/{owner}"))
            {
                // Deleting the namespace deletes its end of the veth pair, and so the pair.
                TestFiles.Run("ip", "netns", "del", namespaceName);
            }
        }
    }
}
