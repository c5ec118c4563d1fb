using System.Globalization;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// Gathers the <c>[Pod]</c> (or an <c>[App NAME]</c>) keys of a file. As in systemd, a key given twice keeps its last
/// value, an empty assignment (<c>Memory=</c>) resets a key to its default, and repeatable keys (Environment, Volume,
/// Mount, Port) add to their list, which an empty assignment empties. It reads the values' syntax only; what the pod
/// may hold is <see cref="PodValidator"/>'s to say, and <see cref="Report"/> puts each of its problems on the line
/// that gave the value.
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
    private readonly List<(EnvironmentVariable Variable, int Line)> environment = [];
    private readonly List<(VolumeSpec Volume, int Line)> volumes = [];
    private readonly List<(MountSpec Mount, int Line)> mounts = [];
    private readonly List<(PortSpec Port, int Line)> ports = [];

    // The line of each field's last assignment, for the validator's problems.
    private readonly Dictionary<PodField, Assignment> givenAt = [];
    private int? sectionLine;
    private string? image;
    private string[]? exec;
    private string? workingDirectory;
    private string? user;
    private string? group;
    private uint[] supplementaryGroups = [];
    private long? memoryBytes;
    private int? cpuMillis;
    private Stage1Flavor stage1 = Stage1Flavor.Ns;
    private bool? privateUsers;
    private bool overlay = true;
    private RestartPolicy restart = RestartPolicy.No;
    private int count = 1;
    private int maxUnavailable = 1;
    private Assignment? countAt;
    private Assignment? stage1At;
    private PodNetwork? network;

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
            ("User", a => user = Identity(a, PodField.User)),
            ("Group", a => group = Identity(a, PodField.Group)),
            ("SupplementaryGroups", SetSupplementaryGroups),
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
                    ("Stage1", a => (stage1, stage1At) = (a.IsReset ? Stage1Flavor.Ns : Choice(a, Stage1Flavors), a)),
                    ("PrivateUsers", a => privateUsers = Given(PodField.PrivateUsers, a) && !a.IsReset ? Boolean(a, defaultValue: false) : null),
                    ("Overlay", a => overlay = Boolean(a, defaultValue: true)),
                    ("Volume", AddVolume),
                    ("Mount", AddMount),
                    ("Port", AddPort),
                    ("Restart", a => restart = a.IsReset ? RestartPolicy.No : Choice(a, RestartPolicies)),
                    ("Network", a => network = Given(PodField.Network, a) && !a.IsReset ? Choice(a, Networks) : null),
                    ("Count", SetCount),
                    ("MaxUnavailable", a => maxUnavailable = Given(PodField.MaxUnavailable, a) && !a.IsReset ? PodCount(a, 1) : 1),
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

    /// <summary>The section, or null when the file has none (reported here); one without Image= is reported and built without one.</summary>
    /// <param name="apps">The pod's <c>[App NAME]</c> sections.</param>
    public PodSection? Build(IReadOnlyList<PodSectionBuilder> apps)
    {
        if (sectionLine is not { } line)
        {
            errors.Add(1, "Image", "no [Pod] section: a unit needs one with at least Image=");
            return null;
        }

        // Without an image the pod is still built, so the rest of the file is checked too; the parse fails anyway.
        if (image is null)
        {
            errors.Add(line, "Image", "[Pod] has no Image= (e.g. Image=example.com/busybox:1.0)");
        }

        var traits = Stage1Traits.Of(stage1);
        // Orleans serializes arrays, not the list types collection expressions make.
        return new PodSection(
            line, image ?? "", exec, environment.Select(e => e.Variable).ToArray(), workingDirectory, user, group, memoryBytes, cpuMillis,
            stage1, privateUsers ?? traits.DefaultPrivateUsers, overlay, volumes.Select(v => v.Volume).ToArray(), mounts.Select(m => m.Mount).ToArray(), ports.Select(p => p.Port).ToArray(), restart)
        {
            Count = count,
            MaxUnavailable = maxUnavailable,
            Network = network ?? traits.DefaultNetwork,
            Apps = apps.Select(a => a.BuildApp()).ToArray(),
            SupplementaryGroups = supplementaryGroups,
        };
    }

    /// <summary>Reports <paramref name="problem"/> of the pod this section (with <paramref name="apps"/>) describes on the line and key that gave it.</summary>
    public void Report(PodProblem problem, IReadOnlyList<PodSectionBuilder> apps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var section = problem.App is { } name ? apps.FirstOrDefault(a => a.AppName == name) ?? this : this;
        if (problem.Field == PodField.Image && section.image is null)
        {
            return;
        }

        var (line, key) = problem.Field switch
        {
            PodField.Environment when Item(section.environment, problem.Index) is { } at => (at, "Environment"),
            PodField.Volume when Item(section.volumes, problem.Index) is { } at => (at, "Volume"),
            PodField.Mount when Item(section.mounts, problem.Index) is { } at => (at, "Mount"),
            PodField.Port when Item(section.ports, problem.Index) is { } at => (at, "Port"),
            PodField.App or PodField.Console => (section.sectionLine ?? 0, ""),
            _ when section.givenAt.TryGetValue(problem.Field, out var at) => (at.Line, at.Key),
            _ when section.stage1At is { } at => (at.Line, at.Key),
            _ => (section.sectionLine ?? 0, ""),
        };
        var prefix = problem.Field == PodField.App && section.AppName is { } app ? $"[App {app}]: " : "";
        errors.Add(line, key, prefix + problem.Message);
    }

    private static int? Item<T>(List<(T Value, int Line)> items, int index) =>
        index >= 0 && index < items.Count ? items[index].Line : null;

    /// <summary>An <c>[App NAME]</c> section; one without Image= is reported here and built without one.</summary>
    private AppSection BuildApp()
    {
        var line = sectionLine ?? 0;
        if (image is null)
        {
            errors.Add(line, "Image", $"[App {AppName}] has no Image= (e.g. Image=example.com/busybox:1.0)");
        }

        return new AppSection(line, AppName!, image ?? "", exec, environment.Select(e => e.Variable).ToArray(), workingDirectory, user, group, mounts.Select(m => m.Mount).ToArray())
        {
            SupplementaryGroups = supplementaryGroups,
        };
    }

    // Records where a field was last given and says that it was.
    private bool Given(PodField field, Assignment at)
    {
        givenAt[field] = at;
        return true;
    }

    /// <summary>Count= as given (for checks across sections), or null when the file leaves it at 1.</summary>
    public (int Value, Assignment At)? CountAssignment => countAt is null ? null : (count, countAt);

    private void SetCount(Assignment at)
    {
        count = 1;
        countAt = at;
        Given(PodField.Count, at);
        if (at.IsReset)
        {
            return;
        }

        count = PodCount(at, 1);
    }

    // The range is the validator's; a number too long for an int is not a count whatever it says.
    private int PodCount(Assignment at, int fallback)
    {
        if (at.Value.Length <= 9 && int.TryParse(at.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        check.Fail(at, $"'{ErrorText.Quote(at.Value)}' is not a pod count (a whole number from 1 to {PodSection.MaxCount})");
        return fallback;
    }

    // A bad image is still an image given: its error is enough, without "no Image=" as well.
    private void SetImage(Assignment at)
    {
        Given(PodField.Image, at);
        image = at.IsReset ? null : at.Value;
        if (image is not null)
        {
            check.Specifiers(at, at.Value);
        }
    }

    // An empty Exec= resets to the image's own exec, as an empty ExecStart= clears systemd's list.
    private void SetExec(Assignment at)
    {
        exec = null;
        Given(PodField.Exec, at);
        if (at.IsReset)
        {
            return;
        }

        if (check.Words(at) is not { } words)
        {
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
            if (!check.Specifiers(at, value))
            {
                continue;
            }

            // A later assignment of the same name wins, as in systemd; it keeps the first one's place.
            var existing = environment.FindIndex(v => v.Variable.Name == name);
            if (existing >= 0)
            {
                environment[existing] = (new EnvironmentVariable(name, value), at.Line);
            }
            else
            {
                environment.Add((new EnvironmentVariable(name, value), at.Line));
            }
        }
    }

    private void SetWorkingDirectory(Assignment at)
    {
        workingDirectory = null;
        Given(PodField.WorkingDirectory, at);
        if (!at.IsReset && check.Specifiers(at, at.Value))
        {
            workingDirectory = at.Value;
        }
    }

    // Group ids, as appc's supplementaryGIDs: the pod's names are the pod's to resolve, which no node does before it runs.
    private void SetSupplementaryGroups(Assignment at)
    {
        supplementaryGroups = [];
        Given(PodField.SupplementaryGroups, at);
        if (at.IsReset || check.Words(at) is not { } words)
        {
            return;
        }

        var ids = new List<uint>();
        foreach (var word in words)
        {
            if (word.Length > 10 || !uint.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                check.Fail(at, $"'{ErrorText.Quote(word)}' is not a group id (a number; names are not resolved)");
                return;
            }

            ids.Add(id);
        }

        supplementaryGroups = [.. ids];
    }

    private string? Identity(Assignment at, PodField field)
    {
        Given(field, at);
        return at.IsReset || !check.Specifiers(at, at.Value) ? null : at.Value;
    }

    private void SetMemory(Assignment at)
    {
        memoryBytes = null;
        Given(PodField.Memory, at);
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
        Given(PodField.Cpu, at);
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

        if (volume.Source is null || check.Specifiers(at, volume.Source))
        {
            volumes.Add((volume, at.Line));
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
            return;
        }

        if (!PortSyntax.TryParse(at.Value, out var port, out var error))
        {
            check.Fail(at, error);
            return;
        }

        ports.Add((port, at.Line));
    }
}
