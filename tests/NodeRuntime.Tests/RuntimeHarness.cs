using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>A PodRuntime on a fresh data directory with the busybox image imported; cleans up its pods.</summary>
public sealed class RuntimeHarness : IAsyncDisposable
{
    private readonly NodeRuntimeOptions options;

    private RuntimeHarness(NodeRuntimeOptions options, PodRuntime runtime, ImageRecord image)
    {
        this.options = options;
        DataDirectory = options.DataDirectory;
        Runtime = runtime;
        Image = image;
    }

    public string DataDirectory { get; }

    public PodRuntime Runtime { get; private set; }

    public ImageRecord Image { get; }

    /// <param name="configure">Options beyond the data directory, such as stage1 kvm's accelerator.</param>
    public static async Task<RuntimeHarness> Start(BusyboxAci aci, Func<NodeRuntimeOptions, NodeRuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(aci);
        var data = Directory.CreateTempSubdirectory("fleetpods-runtime-").FullName;
        var options = (configure ?? (o => o))(new NodeRuntimeOptions(data));
        var runtime = new PodRuntime(options, NullLogger<PodRuntime>.Instance);
        var image = await runtime.Images.ImportAsync(aci.Path);
        return new RuntimeHarness(options, runtime, image);
    }

    public static PodLaunchRequest Request(string podId, string digest, params string[] exec) =>
        new(podId, digest, new PodAppRequest("app", exec.Length == 0 ? null : exec, [], null, null, null));

    public PodLaunchRequest Request(params string[] exec) => Request(NewPodId(), Image.Digest, exec);

    public static string NewPodId() => Guid.NewGuid().ToString();

    /// <summary>Simulates the daemon dying and starting again: a new runtime on the same data directory.</summary>
    public async Task Restart()
    {
        await Runtime.DisposeAsync();
        Runtime = new PodRuntime(options, NullLogger<PodRuntime>.Instance);
    }

    /// <summary>The state changes of one pod, read until it has ended.</summary>
    public async Task<List<PodStateChange>> UntilEnded(string podId, TimeSpan within)
    {
        var seen = new List<PodStateChange>();
        using var timeout = new CancellationTokenSource(within);
        await foreach (var change in Runtime.StateChanges.ReadAllAsync(timeout.Token))
        {
            if (change.PodId == podId)
            {
                seen.Add(change);
                if (change.HasEnded)
                {
                    break;
                }
            }
        }

        return seen;
    }

    /// <summary>An enter session's whole output and its exit code, read until it has ended.</summary>
    public async Task<(int Code, string Output)> SessionEnd(string podId, string session, TimeSpan within)
    {
        var output = new List<byte>();
        long offset = 0;
        using var timeout = new CancellationTokenSource(within);
        while (true)
        {
            var piece = await Runtime.ReadSessionOutputAsync(podId, session, offset, 64 * 1024, timeout.Token);
            output.AddRange(piece.Data);
            offset = piece.NextOffset;
            if (piece.ExitCode is { } code)
            {
                return (code, System.Text.Encoding.UTF8.GetString([.. output]));
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>A file of the pod's directory, as the supervisor writes it.</summary>
    public string PodFile(string podId, string name) => Path.Combine(DataDirectory, "pods", podId, name);

    /// <summary>The host pids of the pod's supervisor and app, from its pid record.</summary>
    public (int Shim, int App) Processes(string podId)
    {
        var pids = File.ReadAllText(PodFile(podId, "pid")).Split(' ', StringSplitOptions.TrimEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return (pids[0], pids[1]);
    }

    public async Task<string> Log(string podId)
    {
        var chunk = await Runtime.ReadLogAsync(podId, 0, 1 << 20);
        return System.Text.Encoding.UTF8.GetString(chunk.Data);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pod in Directory.GetDirectories(Path.Combine(DataDirectory, "pods")))
        {
            await Runtime.RemovePodAsync(Path.GetFileName(pod));
        }

        await Runtime.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
