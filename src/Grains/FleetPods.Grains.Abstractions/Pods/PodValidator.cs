using System.Globalization;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains;

/// <summary>
/// The one validator of a pod. A unit file's <c>[Pod]</c> and <c>[App NAME]</c> sections, <c>fleetpods run</c>'s flags and
/// a <see cref="PodSpec"/> made by a .NET caller all come here once their text has been read, and the pod grain asks
/// again before it keeps a pod and once its specifiers are expanded at placement; each caller points the
/// <see cref="PodProblem"/>s at what its user wrote. Syntax (quoting, numbers, units) is the readers' business; what a
/// pod may hold is decided here, and what each stage1 flavor can give is read from <see cref="Stage1Traits"/>.
/// </summary>
public static class PodValidator
{
    /// <summary>The most <c>SupplementaryGroups=</c> an app may name; the supervisor adds the groups its user is in.</summary>
    public const int MaxSupplementaryGroups = 32;

    /// <summary>Every problem of <paramref name="spec"/>, in the order its fields are written; empty when it may run.</summary>
    public static IReadOnlyList<PodProblem> Validate(PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problems = new List<PodProblem>();
        var pod = spec.Pod;
        var volumes = CheckVolumes(pod.Volumes, problems);
        CheckApp(null, pod.Image, pod.Exec, pod.Environment, pod.WorkingDirectory, pod.User, pod.Group, pod.SupplementaryGroups, pod.Mounts, volumes, problems);
        CheckResources(pod, problems);
        CheckPorts(pod.Ports, problems);
        var names = new HashSet<string>(["app"], StringComparer.Ordinal);
        foreach (var app in pod.Apps)
        {
            if (!AcName.IsValid(app.Name) || app.Name == "app")
            {
                problems.Add(new(PodField.App, null, -1, $"invalid app name '{ErrorText.Quote(app.Name)}' ({AcName.Rule}; 'app' is the [Pod] section's own)"));
            }
            else if (!names.Add(app.Name))
            {
                problems.Add(new(PodField.App, null, -1, $"two apps are named '{app.Name}'"));
            }

            CheckApp(app.Name, app.Image, app.Exec, app.Environment, app.WorkingDirectory, app.User, app.Group, app.SupplementaryGroups, app.Mounts, volumes, problems);
        }

        CheckStage1(pod, problems);
        if (spec.Console is not null)
        {
            var refusal = pod.Apps.Count > 0
                ? $"input and a terminal reach one app, and the pod has {pod.Apps.Count + 1}"
                : Stage1Traits.Of(pod.Stage1).ConsoleRefusal;
            if (spec.UnitName is not null)
            {
                refusal = "a unit's pod has nobody at its console";
            }

            if (refusal is not null)
            {
                problems.Add(new(PodField.Console, null, -1, refusal));
            }
        }

        return problems;
    }

    /// <summary>Throws when <paramref name="spec"/> has a problem; for callers that hold no user's text to point at.</summary>
    /// <exception cref="PodSpecException">The spec has at least one problem.</exception>
    public static void Require(PodSpec spec)
    {
        var problems = Validate(spec);
        if (problems.Count > 0)
        {
            throw new PodSpecException(problems);
        }
    }

    private static void CheckApp(
        string? app,
        string image,
        IReadOnlyList<string>? exec,
        IReadOnlyList<EnvironmentVariable> environment,
        string? workingDirectory,
        string? user,
        string? group,
        IReadOnlyList<uint> supplementaryGroups,
        IReadOnlyList<MountSpec> mounts,
        IReadOnlyCollection<string> volumes,
        List<PodProblem> problems)
    {
        if (ImageReference.FindProblem(image) is { } imageProblem)
        {
            problems.Add(new(PodField.Image, app, -1, image.Length == 0 ? "the image is empty (e.g. example.com/busybox:1.0)" : imageProblem));
        }

        if (exec is not null)
        {
            var problem = exec switch
            {
                [] => "the command is empty: give a program, or none to run the image's own",
                [var program, ..] when !program.StartsWith('/') => $"the program '{ErrorText.Quote(program)}' must be an absolute path (e.g. /bin/sh -c \"echo hi\")",
                _ when exec.FirstOrDefault(HasNul) is { } word => $"the word '{ErrorText.Quote(word)}' holds a NUL character",
                _ => null,
            };
            if (problem is not null)
            {
                problems.Add(new(PodField.Exec, app, -1, problem));
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < environment.Count; i++)
        {
            var (name, value) = (environment[i].Name, environment[i].Value);
            var problem = name switch
            {
                _ when !EnvironmentName.IsValid(name) => $"invalid environment variable name '{ErrorText.Quote(name)}' ({EnvironmentName.Rule})",
                _ when HasNul(value) => $"the value of {name} holds a NUL character",
                _ when !names.Add(name) => $"environment variable {name} is set twice",
                _ => null,
            };
            if (problem is not null)
            {
                problems.Add(new(PodField.Environment, app, i, problem));
            }
        }

        if (workingDirectory is not null && !IsAbsolute(workingDirectory))
        {
            problems.Add(new(PodField.WorkingDirectory, app, -1, $"working directory '{ErrorText.Quote(workingDirectory)}' must be an absolute path"));
        }

        CheckIdentity(PodField.User, "user", user, app, problems);
        CheckIdentity(PodField.Group, "group", group, app, problems);
        var groupProblem = supplementaryGroups switch
        {
            { Count: > MaxSupplementaryGroups } => $"{supplementaryGroups.Count} supplementary groups, more than {MaxSupplementaryGroups}",
            _ when supplementaryGroups.Contains(uint.MaxValue) => $"group id {uint.MaxValue} is out of range (0 to {uint.MaxValue - 1})",
            _ => null,
        };
        if (groupProblem is not null)
        {
            problems.Add(new(PodField.SupplementaryGroups, app, -1, groupProblem));
        }

        var targets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < mounts.Count; i++)
        {
            var mount = mounts[i];
            var problem = mount switch
            {
                _ when !volumes.Contains(mount.Volume) => $"mount of undeclared volume '{ErrorText.Quote(mount.Volume)}' ({Declared(volumes)})",
                _ when !IsAbsolute(mount.Target) => $"mount target '{ErrorText.Quote(mount.Target)}' must be an absolute path",
                _ when !IsClean(mount.Target) => $"mount target '{ErrorText.Quote(mount.Target)}' must not hold '.' or '..' parts",
                _ when mount.Target.Trim('/').Length == 0 => "a mount on '/' would hide the app's whole tree (mount below it)",
                _ when !targets.Add(mount.Target.TrimEnd('/')) => $"two mounts on target '{ErrorText.Quote(mount.Target)}'",
                _ => null,
            };
            if (problem is not null)
            {
                problems.Add(new(PodField.Mount, app, i, problem));
            }
        }
    }

    // A numeric id must fit a uid_t/gid_t and not be (uid_t)-1, which the kernel reads as "unchanged".
    private static void CheckIdentity(PodField field, string what, string? value, string? app, List<PodProblem> problems)
    {
        var problem = value switch
        {
            null => null,
            "" => $"{what} is empty (a name or a numeric id)",
            _ when value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) => $"{what} '{ErrorText.Quote(value)}' must not contain whitespace",
            _ when value.All(char.IsAsciiDigit) && (value.Length > 10 || ulong.Parse(value, CultureInfo.InvariantCulture) >= uint.MaxValue) =>
                $"{what} id {ErrorText.Quote(value)} is out of range (0 to {uint.MaxValue - 1})",
            _ => null,
        };
        if (problem is not null)
        {
            problems.Add(new(field, app, -1, problem));
        }
    }

    private static HashSet<string> CheckVolumes(IReadOnlyList<VolumeSpec> volumes, List<PodProblem> problems)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < volumes.Count; i++)
        {
            var volume = volumes[i];
            var problem = (volume.Kind, volume.Source) switch
            {
                _ when !AcName.IsValid(volume.Name) => $"invalid volume name '{ErrorText.Quote(volume.Name)}' ({AcName.Rule})",
                _ when names.Contains(volume.Name) => $"volume '{volume.Name}' is declared twice",
                (VolumeKind.Host, null or "") => $"volume '{volume.Name}' of kind host needs source=/path",
                (VolumeKind.Host, { } source) when !IsAbsolute(source) => $"volume '{volume.Name}' source '{ErrorText.Quote(source)}' must be an absolute path",
                (VolumeKind.Host, { } source) when !IsClean(source) => $"volume '{volume.Name}' source '{ErrorText.Quote(source)}' must not hold '.' or '..' parts",
                (VolumeKind.Empty, not null) => $"volume '{volume.Name}' of kind empty takes no source=",
                _ => null,
            };
            if (problem is not null)
            {
                problems.Add(new(PodField.Volume, null, i, problem));
            }

            names.Add(volume.Name);
        }

        return names;
    }

    private static void CheckPorts(IReadOnlyList<PortSpec> ports, List<PodProblem> problems)
    {
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var earlier = ports.Take(i);
            var problem = port switch
            {
                _ when !AcName.IsValid(port.Name) => $"invalid port name '{ErrorText.Quote(port.Name)}' ({AcName.Rule})",
                { HostPort: < 1 or > 65535 } => $"port number {port.HostPort} is out of range (1 to 65535)",
                { PodPort: < 1 or > 65535 } => $"port number {port.PodPort} is out of range (1 to 65535)",
                _ when earlier.Any(p => p.Name == port.Name) => $"port name '{port.Name}' is used twice",
                _ when earlier.FirstOrDefault(p => p.HostPort == port.HostPort && p.Protocol == port.Protocol) is { } same =>
                    $"host port {port.HostPort}/{port.Protocol.ToString().ToLowerInvariant()} is already forwarded by port '{same.Name}'",
                _ => null,
            };
            if (problem is not null)
            {
                problems.Add(new(PodField.Port, null, i, problem));
            }
        }
    }

    private static void CheckResources(PodSection pod, List<PodProblem> problems)
    {
        if (pod.MemoryBytes is <= 0)
        {
            problems.Add(new(PodField.Memory, null, -1, "the memory limit must be more than 0 bytes"));
        }

        if (pod.CpuMillis is <= 0)
        {
            problems.Add(new(PodField.Cpu, null, -1, "the CPU limit must be more than 0"));
        }

        if (pod.Count is < 1 or > PodSection.MaxCount)
        {
            problems.Add(new(PodField.Count, null, -1, $"'{pod.Count}' is not a pod count (a whole number from 1 to {PodSection.MaxCount})"));
        }

        if (pod.MaxUnavailable < 1)
        {
            problems.Add(new(PodField.MaxUnavailable, null, -1, $"'{pod.MaxUnavailable}' is not a pod count (a whole number from 1 to {PodSection.MaxCount})"));
        }
    }

    private static void CheckStage1(PodSection pod, List<PodProblem> problems)
    {
        var traits = Stage1Traits.Of(pod.Stage1);
        if (traits.RefuseNetwork(pod.Network) is { } network)
        {
            problems.Add(new(PodField.Network, null, -1, network));
        }
        else if (pod.Ports.Count > 0 && traits.PortsRefusal is { } ports)
        {
            problems.Add(new(PodField.Port, null, 0, ports));
        }
        else if (pod.Ports.Count > 0 && pod.Network != PodNetwork.Default)
        {
            problems.Add(new(PodField.Port, null, 0, $"a port forwards to the pod's own address, which network {pod.Network.ToString().ToLowerInvariant()} does not give it (it needs the default network)"));
        }

        if (pod.PrivateUsers && traits.PrivateUsersRefusal is { } privateUsers)
        {
            problems.Add(new(PodField.PrivateUsers, null, -1, privateUsers));
        }

        if (pod.Apps.Count > 0 && traits.SeveralAppsRefusal is { } severalApps)
        {
            problems.Add(new(PodField.App, pod.Apps[0].Name, -1, severalApps));
        }
    }

    private static string Declared(IReadOnlyCollection<string> volumes) =>
        volumes.Count == 0 ? "no volume is declared" : "declared: " + string.Join(", ", volumes);

    private static bool IsAbsolute(string path) => path.StartsWith('/') && !HasNul(path);

    private static bool IsClean(string path) => path.Split('/').All(part => part is not "." and not "..");

    private static bool HasNul(string text) => text.Contains('\0', StringComparison.Ordinal);
}
