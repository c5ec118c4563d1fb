using System.Diagnostics;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// Starts a pod's supervisor, <c>fleetpods-shim</c>, for any stage1, and returns once the launch is decided. The pod
/// manifest is the whole of what it is told: written once to the pod's directory, whole or not at all, before it starts.
/// </summary>
internal static class PodSupervisor
{
    public static string DefaultShimPath => Path.Combine(AppContext.BaseDirectory, "fleetpods-shim");

    /// <summary>Writes the pod's manifest and starts its supervisor on it (see <see cref="StartAsync"/>).</summary>
    public static async Task<PodProcesses?> LaunchAsync(string shimPath, PodDirectory pod, Manifest.PodManifest manifest, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(manifest);
        var text = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(manifest, Manifest.PodManifestJson.Default.PodManifest);
        await DurableFile.WriteAsync(pod.Manifest, text, cancellationToken);
        return await StartAsync(shimPath, ["--pod-dir", pod.Root], pod, startTimeout);
    }

    /// <summary>
    /// Starts the supervisor and returns once the app has been exec'd (inside the VM, for kvm), or the pod has recorded
    /// why it could not start (see <see cref="PodDirectory.ReadEnd"/>). Null when the supervisor ended before starting
    /// the pod's first process. Not cancellable once the supervisor runs: abandoning it would leave a pod nobody tracks.
    /// </summary>
    private static async Task<PodProcesses?> StartAsync(string shimPath, IEnumerable<string> arguments, PodDirectory pod, TimeSpan startTimeout)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(pod);
        EnsureExecutable(shimPath);
        var start = new ProcessStartInfo(shimPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var shim = Process.Start(start) ?? throw new PodLaunchException("the pod supervisor did not start");

        // The supervisor's stdout reaches end-of-file once the pid is recorded and the app has exec'd or failed
        // (see the top of fleetpods-shim.c); its stderr carries only its own usage errors.
        var ready = shim.StandardOutput.ReadToEndAsync();
        var errors = shim.StandardError.ReadToEndAsync();
        try
        {
            await Task.WhenAll(ready, errors).WaitAsync(startTimeout);
        }
        catch (TimeoutException)
        {
            shim.Kill(entireProcessTree: true);
            throw new PodLaunchException($"the pod did not start within {startTimeout.TotalSeconds} s");
        }

        var processes = pod.ReadProcesses();
        var usage = (await errors).Trim();
        if (processes is null && pod.ReadEnd() is null && usage.Length > 0)
        {
            throw new PodLaunchException($"the pod supervisor refused to start: {usage}");
        }

        return processes;
    }

    // A copy or an unpacked publish can lose the exec bit that gcc set; the daemon runs as root and restores it.
    private static void EnsureExecutable(string shimPath)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PodLaunchException("pods need Linux");
        }

        if (!File.Exists(shimPath))
        {
            throw new PodLaunchException($"the pod supervisor {shimPath} is missing; rebuild FleetPods.NodeRuntime (it needs gcc)");
        }

        var mode = File.GetUnixFileMode(shimPath);
        const UnixFileMode Executable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & Executable) != Executable)
        {
            File.SetUnixFileMode(shimPath, mode | Executable);
        }
    }
}
