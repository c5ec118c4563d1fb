using System.Globalization;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// Gathers the <c>[Pod]</c> keys of a file. As in systemd, a key given twice keeps its last value, an
/// empty assignment (<c>Memory=</c>) resets a key to its default, and repeatable keys (Environment,
/// Volume, Mount, Port) add to their list, which an empty assignment empties.
/// </summary>
internal sealed class PodSectionBuilder
{
    private static readonly ValueChoice<Stage1Flavor> Stage1Flavors =
        new(("ns", Stage1Flavor.Ns), ("kvm", Stage1Flavor.Kvm), ("fly", Stage1Flavor.Fly));

    private static readonly ValueChoice<PodNetwork> Networks =
        new(("default", PodNetwork.Default), ("host", PodNetwork.Host), ("none", PodNetwork.None));

    private static readonly ValueChoice<RestartPolicy> RestartPolicies =
        new(("no", RestartPolicy.No), ("on-failure", RestartPolicy.OnFailure), ("always", RestartPolicy.Always));

    private readonly UnitFileErrorList errors;
    private readonly ValueCheck check;
    private readonly KeyTable keys;
    private readonly List<EnvironmentVariable> environment = [];
    private readonly List<VolumeSpec> volumes = [];
    private readonly List<(MountSpec Mount, int Line)> mounts = [];
    private readonly List<PortSpec> ports = [];
    private int? sectionLine;
    private string? image;
    private string[]? exec;
    private string? workingDirectory;
    private string? user;
    private string? group;
    private long? memoryBytes;
    private int? cpuMillis;
    private Stage1Flavor stage1 = Stage1Flavor.Ns;
    private bool? privateUsers;
    private bool overlay = true;
    private RestartPolicy restart = RestartPolicy.No;
    private int count = 1;
    private int maxUnavailable = 1;
    private Assignment? countAt;
    private PodNetwork? network;
    private Assignment? networkAt;
    private Assignment? privateUsersAt;
    private Assignment? portsAt;

    /// <param name="appName">Null for the <c>[Pod]</c> section; an <c>[App NAME]</c> section's name, which takes only the app's own keys.</param>
    public PodSectionBuilder(UnitFileErrorList errors, string? appName = null)
    {
        this.errors = errors;
        check = new ValueCheck(errors);
        // The keys an [App NAME] section takes too, in the order errors list them.
        (string, Action<Assignment>)[] appKeys =
        [
            ("Image", SetImage),
            ("Exec", SetExec),
            ("Environment", AddEnvironment),
            ("WorkingDirectory", SetWorkingDirectory),
            ("User", a => user = Identity(a, "user")),
            ("Group", a => group = Identity(a, "group")),
        ];
        AppName = appName;
        keys = appName is not null
            ? new KeyTable($"App {appName}", errors, [.. appKeys, ("Mount", AddMount)])
            : new KeyTable(
                "Pod",
                errors,
                [
                    .. appKeys,
                    ("Memory", SetMemory),
                    ("CPU", SetCpu),
                    ("Stage1", a => stage1 = a.IsReset ? Stage1Flavor.Ns : Choice(a, Stage1Flavors)),
                    ("PrivateUsers", a => (privateUsers, privateUsersAt) = (a.IsReset ? (bool?)null : Boolean(a, defaultValue: false), a)),
                    ("Overlay", a => overlay = Boolean(a, defaultValue: true)),
                    ("Volume", AddVolume),
                    ("Mount", AddMount),
                    ("Port", AddPort),
                    ("Restart", a => restart = a.IsReset ? RestartPolicy.No : Choice(a, RestartPolicies)),
                    ("Network", a => (network, networkAt) = (a.IsReset ? null : Choice(a, Networks), a)),
                    ("Count", SetCount),
                    ("MaxUnavailable", a => maxUnavailable = a.IsReset ? 1 : PodCount(a, 1)),
                ]);
    }

    /// <summary>The <c>[App NAME]</c> section's name, or null for <c>[Pod]</c>.</summary>
    public string? AppName { get; }

    /// <summary>
    /// A <c>[Pod]</c> header: returns what takes the section's assignments. Headers repeated later merge
    /// into the first, whose line errors about the whole section name.
    /// </summary>
    public Action<Assignment> Open(int line)
    {
        sectionLine ??= line;
        return keys.Apply;
    }

    /// <summary>The section, or null when it is missing or lacks Image= (reported here).</summary>
    public PodSection? Build()
    {
        if (sectionLine is not { } line)
        {
            errors.Add(1, "Image", "no [Pod] section: a unit needs one with at least Image=");
            return null;
        }

        foreach (var (mount, mountLine) in mounts)
        {
            if (!volumes.Exists(v => v.Name == mount.Volume))
            {
                var declared = volumes.Count == 0 ? "none is declared" : "declared: " + string.Join(", ", volumes.Select(v => v.Name));
                errors.Add(mountLine, "Mount", $"mount of undeclared volume '{ErrorText.Quote(mount.Volume)}' (add a Volume={ErrorText.Quote(mount.Volume)},… line; {declared})");
            }
        }

        if (image is null)
        {
            errors.Add(line, "Image", "[Pod] has no Image= (e.g. Image=example.com/busybox:1.0)");
            return null;
        }

        return new PodSection(
            line, image, exec, environment.ToArray(), workingDirectory, user, group, memoryBytes, cpuMillis,
            stage1, privateUsers ?? PodSection.DefaultPrivateUsers(stage1), overlay, volumes.ToArray(), mounts.Select(m => m.Mount).ToArray(), ports.ToArray(), restart)
        {
            Count = count,
            MaxUnavailable = maxUnavailable,
            Network = network ?? PodNetwork.Default,
        };
    }

    /// <summary>Reports a setting the pod's stage1 flavor cannot honour (<see cref="Stage1Limits"/>), on the line that gives it.</summary>
    /// <param name="apps">The pod's <c>[App NAME]</c> sections.</param>
    public void CheckStage1(IReadOnlyList<PodSectionBuilder> apps)
    {
        if (!Stage1Limits.TryFindConflict(stage1, network, privateUsers ?? PodSection.DefaultPrivateUsers(stage1), ports.Count > 0, apps.Count > 0, out var setting, out var reason))
        {
            return;
        }

        var at = setting switch
        {
            PodSetting.Network => networkAt,
            PodSetting.Port => portsAt,
            PodSetting.PrivateUsers => privateUsersAt,
            _ => null,
        };
        if (at is not null)
        {
            check.Fail(at, reason);
        }
        else if (apps.Count > 0)
        {
            errors.Add(apps[0].sectionLine ?? 0, "", $"[App {apps[0].AppName}]: {reason}");
        }
    }

    /// <summary>An <c>[App NAME]</c> section, or null when it lacks Image= (reported here).</summary>
    /// <param name="volumeNames">The pod's volumes, which the app's mounts must name.</param>
    public AppSection? BuildApp(IReadOnlyCollection<string> volumeNames)
    {
        var line = sectionLine ?? 0;
        foreach (var (mount, mountLine) in mounts.Where(m => !volumeNames.Contains(m.Mount.Volume)))
        {
            errors.Add(mountLine, "Mount", $"mount of undeclared volume '{ErrorText.Quote(mount.Volume)}' (volumes are declared in [Pod] with Volume=)");
        }

        if (image is null)
        {
            errors.Add(line, "Image", $"[App {AppName}] has no Image= (e.g. Image=example.com/busybox:1.0)");
            return null;
        }

        return new AppSection(line, AppName!, image, exec, environment.ToArray(), workingDirectory, user, group, mounts.Select(m => m.Mount).ToArray());
    }

    /// <summary>Count= as given (for checks across sections), or null when the file leaves it at 1.</summary>
    public (int Value, Assignment At)? CountAssignment => countAt is null ? null : (count, countAt);

    private void SetCount(Assignment at)
    {
        count = 1;
        countAt = at;
        if (at.IsReset)
        {
            return;
        }

        count = PodCount(at, 1);
    }

    private int PodCount(Assignment at, int fallback)
    {
        if (int.TryParse(at.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= PodSection.MaxCount)
        {
            return value;
        }

        check.Fail(at, $"'{ErrorText.Quote(at.Value)}' is not a pod count (a whole number from 1 to {PodSection.MaxCount})");
        return fallback;
    }

    // A bad image is still an image given: its error is enough, without "no Image=" as well.
    private void SetImage(Assignment at)
    {
        image = at.IsReset ? null : at.Value;
        if (image is not null && check.SingleWord(at, "image") && check.Specifiers(at, at.Value)
            && ImageReference.FindProblem(at.Value) is { } problem)
        {
            check.Fail(at, problem);
        }
    }

    // An empty Exec= resets to the image's own exec, as an empty ExecStart= clears systemd's list.
    private void SetExec(Assignment at)
    {
        exec = null;
        if (at.IsReset)
        {
            return;
        }

        if (check.Words(at) is not { } words)
        {
            return;
        }

        // A non-empty value always holds a word, if only an empty one as in Exec="".
        if (!words[0].StartsWith('/'))
        {
            check.Fail(at, $"the program '{ErrorText.Quote(words[0])}' must be an absolute path (e.g. Exec=/bin/sh -c \"echo hi\")");
            return;
        }

        if (words.All(w => check.Specifiers(at, w)))
        {
            exec = words;
        }
    }

    private void AddEnvironment(Assignment at)
    {
        if (at.IsReset)
        {
            environment.Clear();
            return;
        }

        if (check.Words(at) is not { } words)
        {
            return;
        }

        foreach (var word in words)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                check.Fail(at, $"'{ErrorText.Quote(word)}' is not a NAME=value assignment");
                continue;
            }

            var name = word[..equals];
            var value = word[(equals + 1)..];
            if (!EnvironmentName.IsValid(name))
            {
                check.Fail(at, $"invalid environment variable name '{ErrorText.Quote(name)}' ({EnvironmentName.Rule})");
                continue;
            }

            if (!check.Specifiers(at, value))
            {
                continue;
            }

            // A later assignment of the same name wins, as in systemd; it keeps the first one's place.
            var existing = environment.FindIndex(v => v.Name == name);
            if (existing >= 0)
            {
                environment[existing] = new EnvironmentVariable(name, value);
            }
            else
            {
                environment.Add(new EnvironmentVariable(name, value));
            }
        }
    }

    private void SetWorkingDirectory(Assignment at)
    {
        workingDirectory = null;
        if (!at.IsReset && check.AbsolutePath(at, at.Value, "working directory") && check.Specifiers(at, at.Value))
        {
            workingDirectory = at.Value;
        }
    }

    private string? Identity(Assignment at, string what)
    {
        if (at.IsReset || !check.SingleWord(at, what) || !check.Specifiers(at, at.Value))
        {
            return null;
        }

        // A numeric id must fit a uid_t/gid_t and not be (uid_t)-1, which the kernel reads as "unchanged".
        if (at.Value.All(char.IsAsciiDigit) && (at.Value.Length > 10 || ulong.Parse(at.Value, CultureInfo.InvariantCulture) >= uint.MaxValue))
        {
            check.Fail(at, $"{what} id {ErrorText.Quote(at.Value)} is out of range (0 to {uint.MaxValue - 1})");
            return null;
        }

        return at.Value;
    }

    private void SetMemory(Assignment at)
    {
        memoryBytes = null;
        if (at.IsReset)
        {
            return;
        }

        if (MemorySize.TryParse(at.Value, out var bytes, out var error))
        {
            memoryBytes = bytes;
        }
        else
        {
            check.Fail(at, error);
        }
    }

    private void SetCpu(Assignment at)
    {
        cpuMillis = null;
        if (at.IsReset)
        {
            return;
        }

        if (CpuQuantity.TryParse(at.Value, out var millis, out var error))
        {
            cpuMillis = millis;
        }
        else
        {
            check.Fail(at, error);
        }
    }

    private T Choice<T>(Assignment at, ValueChoice<T> choices)
        where T : struct, Enum
    {
        if (!choices.TryParse(at.Value, out var value, out var error))
        {
            check.Fail(at, error);
        }

        return value;
    }

    private bool Boolean(Assignment at, bool defaultValue)
    {
        if (at.IsReset)
        {
            return defaultValue;
        }

        if (!SystemdBoolean.TryParse(at.Value, out var value, out var error))
        {
            check.Fail(at, error);
            return defaultValue;
        }

        return value;
    }

    private void AddVolume(Assignment at)
    {
        if (at.IsReset)
        {
            volumes.Clear();
            return;
        }

        if (!VolumeSyntax.TryParse(at.Value, out var volume, out var error))
        {
            check.Fail(at, error);
            return;
        }

        if (volumes.Exists(v => v.Name == volume.Name))
        {
            check.Fail(at, $"volume '{volume.Name}' is declared twice");
            return;
        }

        if (volume.Source is null || check.Specifiers(at, volume.Source))
        {
            volumes.Add(volume);
        }
    }

    private void AddMount(Assignment at)
    {
        if (at.IsReset)
        {
            mounts.Clear();
            return;
        }

        if (!MountSyntax.TryParse(at.Value, out var mount, out var error))
        {
            check.Fail(at, error);
            return;
        }

        if (mounts.Exists(m => m.Mount.Target == mount.Target))
        {
            check.Fail(at, $"two mounts on target '{ErrorText.Quote(mount.Target)}'");
            return;
        }

        if (check.Specifiers(at, mount.Target))
        {
            mounts.Add((mount, at.Line));
        }
    }

    private void AddPort(Assignment at)
    {
        if (at.IsReset)
        {
            ports.Clear();
            portsAt = null;
            return;
        }

        if (!PortSyntax.TryParse(at.Value, out var port, out var error))
        {
            check.Fail(at, error);
            return;
        }

        if (ports.Exists(p => p.Name == port.Name))
        {
            check.Fail(at, $"port name '{port.Name}' is used twice");
            return;
        }

        if (ports.Find(p => p.HostPort == port.HostPort && p.Protocol == port.Protocol) is { } sameHostPort)
        {
            check.Fail(at, $"host port {port.HostPort}/{port.Protocol.ToString().ToLowerInvariant()} is already forwarded by port '{sameHostPort.Name}'");
            return;
        }

        portsAt ??= at;
        ports.Add(port);
    }
}
