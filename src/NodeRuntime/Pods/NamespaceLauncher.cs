using System.Diagnostics;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// Stage1 <c>ns</c>: starts a pod's supervisor, <c>fleetpods-shim</c>, which creates the pod's namespaces.
/// That cannot happen in this process: unsharing PID and mount namespaces and pivoting the root need a
/// single-threaded caller, and the .NET runtime is multi-threaded. Arguments go as an argument list,
/// never through a shell, since their values come from unit files.
/// </summary>
public sealed class NamespaceLauncher(string shimPath)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    public static string DefaultShimPath => Path.Combine(AppContext.BaseDirectory, "fleetpods-shim");

    /// <summary>Starts the pod and returns once its app has been exec'd (pid recorded) or it has ended.</summary>
    public async Task<(int Shim, int App)?> Launch(PodDirectory pod, PodLaunchPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(plan);
        if (!File.Exists(shimPath))
        {
            throw new PodLaunchException($"the pod supervisor {shimPath} is missing; rebuild FleetPods.NodeRuntime (it needs gcc)");
        }

        var start = new ProcessStartInfo(shimPath) { UseShellExecute = false };
        start.ArgumentList.Add("--pod-dir");
        start.ArgumentList.Add(pod.Root);
        start.ArgumentList.Add("--hostname");
        start.ArgumentList.Add(plan.Hostname);
        if (plan.CopiedRootfs is { } copied)
        {
            start.ArgumentList.Add("--rootfs");
            start.ArgumentList.Add(copied);
        }
        else
        {
            foreach (var (option, value) in new[] { ("--lower", plan.LowerDirectory), ("--upper", pod.Upper), ("--work", pod.Work) })
            {
                start.ArgumentList.Add(option);
                start.ArgumentList.Add(value);
            }
        }

        foreach (var (option, value) in new[] { ("--cwd", plan.WorkingDirectory), ("--user", plan.User), ("--group", plan.Group) })
        {
            if (value is not null)
            {
                start.ArgumentList.Add(option);
                start.ArgumentList.Add(value);
            }
        }

        foreach (var (name, value) in plan.Environment)
        {
            start.ArgumentList.Add("--env");
            start.ArgumentList.Add($"{name}={value}");
        }

        start.ArgumentList.Add("--");
        foreach (var argument in plan.Exec)
        {
            start.ArgumentList.Add(argument);
        }

        using var shim = Process.Start(start) ?? throw new PodLaunchException("the pod supervisor did not start");
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (pod.ReadPids() is { } pids)
            {
                return pids;
            }

            if (shim.HasExited)
            {
                return pod.ReadPids();
            }

            if (DateTime.UtcNow > deadline)
            {
                shim.Kill(entireProcessTree: true);
                throw new PodLaunchException($"the pod did not start within {StartTimeout.TotalSeconds} s");
            }

            await Task.Delay(2, cancellationToken);
        }
    }
}
