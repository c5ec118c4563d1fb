using System.Text;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// systemd-style specifiers in unit values: <c>%n</c> the full unit name (<c>web@1.pod</c>), <c>%N</c>
/// the name without <c>.pod</c> (<c>web@1</c>), <c>%p</c> the prefix (<c>web</c>), <c>%i</c> the instance
/// (<c>1</c>, empty for a plain unit), <c>%m</c> the node's name and <c>%%</c> a literal <c>%</c>.
/// The parser only checks them; they are expanded when the pod is placed, since only then is the node known.
/// </summary>
public static class UnitSpecifiers
{
    private const string Known = "%n %N %p %i %m %%";

    /// <summary>
    /// Expands the specifiers of every string value of <paramref name="unit"/>: Description, Image, Exec,
    /// Environment values, WorkingDirectory, User, Group, Volume sources, Mount targets and the
    /// <c>[X-Fleet]</c> strings. One left-to-right pass, so <c>%%m</c> becomes <c>%m</c> and stays so.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The unit uses <c>%m</c> and <see cref="SpecifierContext.NodeName"/> is null, the context's unit
    /// name is not a valid one, or a value holds a specifier the parser would have refused.
    /// </exception>
    public static UnitFile Expand(UnitFile unit, SpecifierContext context) => ExpandForNode(unit, context, out _);

    /// <summary>As <see cref="Expand(UnitFile, SpecifierContext)"/>, saying whether any value held <c>%m</c>: one that
    /// held none expands alike for every node.</summary>
    internal static UnitFile ExpandForNode(UnitFile unit, SpecifierContext context, out bool usedNodeName)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(context);
        if (!UnitName.TryParse(context.UnitName, out var name, out var nameError))
        {
            throw new ArgumentException(nameError, nameof(context));
        }

        var nodeNameUsed = false;
        string Expand(string value) => ExpandValue(value, name!, context, ref nodeNameUsed);
        string? ExpandOptional(string? value) => value is null ? null : Expand(value);

        var pod = unit.Pod;
        var fleet = unit.Fleet;
        var expanded = unit with
        {
            Description = ExpandOptional(unit.Description),
            Pod = pod with
            {
                Image = Expand(pod.Image),
                Exec = pod.Exec is null ? null : pod.Exec.Select(Expand).ToArray(),
                Environment = pod.Environment.Select(v => v with { Value = Expand(v.Value) }).ToArray(),
                WorkingDirectory = ExpandOptional(pod.WorkingDirectory),
                User = ExpandOptional(pod.User),
                Group = ExpandOptional(pod.Group),
                Volumes = pod.Volumes.Select(v => v with { Source = ExpandOptional(v.Source) }).ToArray(),
                Mounts = pod.Mounts.Select(m => m with { Target = Expand(m.Target) }).ToArray(),
                Apps = pod.Apps.Select(a => a with
                {
                    Image = Expand(a.Image),
                    Exec = a.Exec is null ? null : a.Exec.Select(Expand).ToArray(),
                    Environment = a.Environment.Select(v => v with { Value = Expand(v.Value) }).ToArray(),
                    WorkingDirectory = ExpandOptional(a.WorkingDirectory),
                    User = ExpandOptional(a.User),
                    Group = ExpandOptional(a.Group),
                    Mounts = a.Mounts.Select(m => m with { Target = Expand(m.Target) }).ToArray(),
                }).ToArray(),
            },
            Fleet = fleet with
            {
                MachineId = ExpandOptional(fleet.MachineId),
                MachineOf = ExpandOptional(fleet.MachineOf),
                MachineMetadata = fleet.MachineMetadata.Select(m => m with { Value = Expand(m.Value) }).ToArray(),
                Conflicts = fleet.Conflicts.Select(Expand).ToArray(),
                Replaces = ExpandOptional(fleet.Replaces),
            },
        };
        usedNodeName = nodeNameUsed;
        return expanded;
    }

    /// <summary>Why <paramref name="value"/> cannot be expanded (an unknown specifier or a lone trailing %), or null.</summary>
    internal static string? FindProblem(string value)
    {
        for (var i = value.IndexOf('%', StringComparison.Ordinal); i >= 0; i = value.IndexOf('%', i + 2))
        {
            if (i + 1 == value.Length)
            {
                return $"lone % at the end of '{ErrorText.Quote(value)}' (write %% for a literal %)";
            }

            if (!IsKnown(value[i + 1]))
            {
                return $"unknown specifier %{ErrorText.Quote(value[i + 1].ToString())} in '{ErrorText.Quote(value)}' (known: {Known}; write %% for a literal %)";
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="value"/> holds <c>%m</c>, which only has a meaning once a node is chosen.</summary>
    internal static bool UsesNodeName(string value)
    {
        for (var i = value.IndexOf('%', StringComparison.Ordinal); i >= 0 && i + 1 < value.Length; i = value.IndexOf('%', i + 2))
        {
            if (value[i + 1] == 'm')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Expands the <c>[X-Fleet]</c> values only, which placement needs before a node is known; the parser
    /// refuses <c>%m</c> there, so none can be left.
    /// </summary>
    public static FleetSection ExpandFleet(UnitFile unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return Expand(unit with { Description = null, Pod = unit.Pod with { Image = "", Exec = null, Environment = [], WorkingDirectory = null, User = null, Group = null, Volumes = [], Mounts = [] } },
            new SpecifierContext(unit.Name, null)).Fleet;
    }

    /// <summary>One value expanded for <paramref name="unitName"/> without a node; the value as given when that cannot be done.</summary>
    internal static string ExpandName(string value, string unitName)
    {
        var usedNodeName = false;
        return UnitName.TryParse(unitName, out var name, out _) && FindProblem(value) is null && !UsesNodeName(value)
            ? ExpandValue(value, name!, new SpecifierContext(unitName, null), ref usedNodeName)
            : value;
    }

    private static bool IsKnown(char c) => c is 'n' or 'N' or 'p' or 'i' or 'm' or '%';

    private static string ExpandValue(string value, UnitName name, SpecifierContext context, ref bool usedNodeName)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var expanded = new StringBuilder(value.Length + 16);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '%')
            {
                expanded.Append(value[i]);
                continue;
            }

            if (i + 1 == value.Length)
            {
                throw new ArgumentException($"lone % at the end of '{value}'", nameof(context));
            }

            i++;
            usedNodeName |= value[i] == 'm';
            expanded.Append(value[i] switch
            {
                'n' => name.FullName,
                'N' => name.FullName[..^UnitName.Suffix.Length],
                'p' => name.Prefix,
                'i' => name.Instance ?? "",
                'm' => context.NodeName
                    ?? throw new ArgumentException($"unit {name.FullName} uses %m, which needs the node the pod is placed on", nameof(context)),
                '%' => "%",
                var other => throw new ArgumentException($"unknown specifier %{other} in '{value}'", nameof(context)),
            });
        }

        return expanded.ToString();
    }
}
