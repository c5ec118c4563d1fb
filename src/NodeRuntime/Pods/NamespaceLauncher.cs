namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// Stage1 <c>ns</c> and <c>fly</c> (<see cref="Flavors.HostProcessStage1"/>): starts a pod's supervisor, <c>fleetpods-shim</c>, which creates the pod's namespaces.
/// That cannot happen in this process: unsharing PID and mount namespaces needs a single-threaded caller, and
/// the .NET runtime is multi-threaded (and forking it is unsafe). Arguments go as an argument list, never
/// through a shell, since their values come from unit files.
/// </summary>
internal sealed class NamespaceLauncher(string shimPath)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The supervisor binary, which also enters running apps (<c>--enter</c>).</summary>
    public string ShimPath => shimPath;

    /// <summary>Starts the pod and returns once its launch is decided (see <see cref="PodSupervisor.StartAsync"/>).</summary>
    /// <param name="console">The first app's console, or null for none.</param>
    /// <param name="flavorOptions">The supervisor's options for the pod's stage1 flavor.</param>
    public Task<PodProcesses?> Launch(PodDirectory pod, IReadOnlyList<PodLaunchPlan> plans, PodIsolation isolation, PodConsoleRelay? console, IReadOnlyList<string> flavorOptions)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(isolation);
        ArgumentNullException.ThrowIfNull(flavorOptions);
        return PodSupervisor.StartAsync(shimPath, Arguments(pod, plans, isolation, console, flavorOptions), pod, StartTimeout);
    }

    private static List<string> Arguments(PodDirectory pod, IReadOnlyList<PodLaunchPlan> plans, PodIsolation isolation, PodConsoleRelay? console, IReadOnlyList<string> flavorOptions)
    {
        List<string> arguments = ["--pod-dir", pod.Root, "--hostname", plans[0].Hostname, .. console?.SupervisorArguments ?? [], .. flavorOptions];

        switch (isolation.Network)
        {
            case PodNetworkMode.Host:
                arguments.AddRange(["--net", "host"]);
                break;
            case PodNetworkMode.None:
                arguments.AddRange(["--net", "none"]);
                break;
            default:
                var address = isolation.Address ?? throw new InvalidOperationException("the default network needs an address");
                arguments.AddRange([
                    "--net", "veth", "--ip", HostTool.Ip, "--veth", address.Veth, "--bridge", NodeNetwork.Bridge,
                    "--address", address.Address + "/16", "--gateway", NodeNetwork.Gateway]);
                break;
        }

        foreach (var cgroup in isolation.Cgroups)
        {
            arguments.AddRange(["--cgroup", cgroup]);
        }

        if (isolation.OomEvents is { } oomEvents)
        {
            arguments.AddRange(["--oom-events", oomEvents]);
        }

        if (isolation.UidBase is { } uidBase)
        {
            arguments.AddRange(["--uid-base", uidBase.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        foreach (var plan in plans)
        {
            AppArguments(arguments, plan, named: plans.Count > 1);
        }

        return arguments;
    }

    private static void AppArguments(List<string> arguments, PodLaunchPlan plan, bool named)
    {
        if (named)
        {
            arguments.AddRange(["--app", plan.Name]);
        }

        if (plan.CopiedRootfs is { } copied)
        {
            arguments.AddRange(["--rootfs", copied]);
        }
        else
        {
            var (upper, work) = plan.Layers ?? throw new InvalidOperationException("an overlay needs its upper and work directories");
            arguments.AddRange(["--lower", plan.LowerDirectory, "--upper", upper, "--work", work]);
        }

        foreach (var (option, value) in new[] { ("--cwd", plan.WorkingDirectory), ("--user", plan.User), ("--group", plan.Group) })
        {
            if (value is not null)
            {
                arguments.AddRange([option, value]);
            }
        }

        foreach (var (name, value) in plan.Environment)
        {
            arguments.AddRange(["--env", $"{name}={value}"]);
        }

        foreach (var (source, target, readOnly, shifted) in plan.Mounts)
        {
            arguments.AddRange(["--mount", (readOnly ? "ro" : "rw") + (shifted ? "-idmap" : ""), source, target]);
        }

        foreach (var argument in plan.Exec)
        {
            arguments.AddRange(["--arg", argument]);
        }
    }
}
