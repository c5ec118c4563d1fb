using Microsoft.Extensions.Logging.Abstractions;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>
/// A PodRuntime on a fresh data directory, opened lazily and reopenable (as a restarted daemon would), with a way
/// to run a pod to its end and read its output; removes its pods and directory when disposed.
/// </summary>
public sealed class StoreHarness : IAsyncDisposable
{
    private readonly Func<string, NodeRuntimeOptions> options;
    private readonly Lock opening = new();
    private PodRuntime? runtime;

    public StoreHarness(Func<string, NodeRuntimeOptions>? options = null)
    {
        this.options = options ?? (data => new NodeRuntimeOptions(data));
        DataDirectory = Directory.CreateTempSubdirectory("fleetpods-store-").FullName;
    }

    public string DataDirectory { get; }

    public string ImagesDirectory => Path.Combine(DataDirectory, "images");

    /// <summary>The runtime, opened on first use; tests use it from several threads, and only one may own the directory.</summary>
    public PodRuntime Runtime
    {
        get
        {
            lock (opening)
            {
                return runtime ??= new PodRuntime(options(DataDirectory), NullLogger<PodRuntime>.Instance);
            }
        }
    }

    /// <summary>Closes the runtime; the next use opens a new one on the same directory.</summary>
    public async Task Close()
    {
        if (runtime is not null)
        {
            await runtime.DisposeAsync();
            runtime = null;
        }
    }

    public Task<string> RunToEnd(string image, params string[] exec) => RunToEnd(RuntimeHarness.Request(RuntimeHarness.NewPodId(), image, exec));

    /// <summary>Runs a pod, asserts it exited 0, and returns its output.</summary>
    public async Task<string> RunToEnd(PodLaunchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ended = WaitForEnds([request.PodId]);
        await Runtime.StartPodAsync(request);
        var end = (await ended).Single();
        Assert.True(end.Phase == PodPhase.Exited && end.ExitCode == 0, $"pod ended {end.Phase} {end.ExitCode} {end.Reason}");
        return await Output(request.PodId);
    }

    public async Task<string> Output(string podId) =>
        System.Text.Encoding.UTF8.GetString((await Runtime.ReadLogAsync(podId, 0, 1 << 20)).Data);

    /// <summary>The ends of all these pods. One reader for all of them: the runtime's channel hands each change to one reader only.</summary>
    public Task<List<PodStateChange>> WaitForEnds(HashSet<string> podIds)
    {
        var reader = Runtime.StateChanges;
        return Task.Run(async () =>
        {
            var ends = new List<PodStateChange>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await foreach (var change in reader.ReadAllAsync(timeout.Token))
            {
                if (podIds.Contains(change.PodId) && change.HasEnded)
                {
                    ends.Add(change);
                    if (ends.Count == podIds.Count)
                    {
                        break;
                    }
                }
            }

            return ends;
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (runtime is not null)
        {
            foreach (var pod in Directory.GetDirectories(Path.Combine(DataDirectory, "pods")))
            {
                await runtime.RemovePodAsync(Path.GetFileName(pod));
            }

            await runtime.DisposeAsync();
        }

        Directory.Delete(DataDirectory, recursive: true);
    }
}
