namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// Gathers the <c>[X-Fleet]</c> keys of a file (last value wins, empty resets, as in <see cref="PodSectionBuilder"/>).
/// MachineMetadata= and Conflicts= are repeatable and, as fleet allowed, also take several
/// whitespace-separated (optionally quoted) items on one line.
/// </summary>
internal sealed class FleetSectionBuilder
{
    private readonly ValueCheck check;
    private readonly KeyTable keys;
    private readonly List<MetadataRequirement> machineMetadata = [];
    private readonly List<string> conflicts = [];
    private string? machineId;
    private string? machineOf;
    private bool global;
    private string? replaces;
    private Assignment? machineIdAt;
    private Assignment? machineOfAt;
    private Assignment? globalAt;
    private Assignment? replacesAt;

    public FleetSectionBuilder(UnitFileErrorList errors)
    {
        check = new ValueCheck(errors);
        keys = new KeyTable(
            "X-Fleet",
            errors,
            ("MachineID", a => (machineId, machineIdAt) = (Reference(a, "machine id"), a)),
            ("MachineOf", a => (machineOf, machineOfAt) = (Reference(a, "unit name"), a)),
            ("MachineMetadata", AddMachineMetadata),
            ("Conflicts", AddConflicts),
            ("Global", SetGlobal),
            ("Replaces", a => (replaces, replacesAt) = (Reference(a, "unit name"), a)));
    }

    public void Apply(Assignment assignment) => keys.Apply(assignment);

    /// <summary>The section; combinations fleet refused are reported against the line that completed them.</summary>
    /// <param name="unitName">The unit's own name, which MachineOf= and Replaces= must not name.</param>
    /// <param name="count">The pod's Count= and its line, when given.</param>
    public FleetSection Build(string unitName, (int Value, Assignment At)? count)
    {
        if (global)
        {
            Forbid(machineIdAt, machineId, "Global=true cannot be combined with MachineID= (a global unit runs on every matching node)");
            Forbid(machineOfAt, machineOf, "Global=true cannot be combined with MachineOf= (a global unit runs on every matching node)");
            Forbid(replacesAt, replaces, "Global=true cannot be combined with Replaces= (a global unit runs on every matching node)");
            if (count is { Value: > 1 } c)
            {
                check.Fail(Later(c.At, globalAt!), "Global=true cannot be combined with Count= above 1 (a global unit runs one pod on every matching node)");
            }
        }

        if (machineId is not null)
        {
            Forbid(machineOfAt, machineOf, "MachineID= and MachineOf= cannot both be given (each alone decides the node)");
        }

        if (machineOf is not null)
        {
            Forbid(replacesAt, replaces, "MachineOf= and Replaces= cannot both be given (each alone decides the node)");
        }

        SelfReference(machineOfAt, machineOf, unitName);
        SelfReference(replacesAt, replaces, unitName);
        if (machineOf is not null && conflicts.FirstOrDefault(glob => UnitGlob.Matches(glob, machineOf)) is { } clash)
        {
            check.Fail(machineOfAt!, $"MachineOf={ErrorText.Quote(machineOf)} can never be met: Conflicts={ErrorText.Quote(clash)} keeps this unit off that unit's node");
        }

        return new(machineId, machineOf, machineMetadata.ToArray(), conflicts.ToArray(), global, replaces);
    }

    private static Assignment Later(Assignment a, Assignment b) => a.Line >= b.Line ? a : b;

    // Reported at whichever of the two keys came last, which is the one that made the pair.
    private void Forbid(Assignment? at, string? value, string message)
    {
        if (at is not null && value is not null)
        {
            check.Fail(globalAt is not null && global ? Later(at, globalAt) : at, message);
        }
    }

    private void SelfReference(Assignment? at, string? value, string unitName)
    {
        if (at is not null && value is not null && UnitSpecifiers.ExpandName(value, unitName) == unitName)
        {
            check.Fail(at, $"{at.Key}= names this unit itself");
        }
    }

    private string? Reference(Assignment at, string what) =>
        at.IsReset || !check.SingleWord(at, what) || !check.Specifiers(at, at.Value) || !NoNodeName(at, at.Value) ? null : at.Value;

    // The node is what [X-Fleet] chooses, so it cannot depend on it.
    private bool NoNodeName(Assignment at, string value)
    {
        if (UnitSpecifiers.UsesNodeName(value))
        {
            check.Fail(at, $"%m (the node's name) cannot be used in [X-Fleet]: the node is what these keys choose ('{ErrorText.Quote(value)}')");
            return false;
        }

        return true;
    }

    private void AddMachineMetadata(Assignment at)
    {
        if (at.IsReset)
        {
            machineMetadata.Clear();
            return;
        }

        if (check.Words(at) is not { } words)
        {
            return;
        }

        foreach (var word in words)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == word.Length - 1)
            {
                check.Fail(at, $"'{ErrorText.Quote(word)}' is not a key=value pair (e.g. MachineMetadata=region=us-east disk=ssd)");
                continue;
            }

            var value = word[(equals + 1)..];
            if (check.Specifiers(at, value) && NoNodeName(at, value))
            {
                machineMetadata.Add(new MetadataRequirement(word[..equals], value));
            }
        }
    }

    private void AddConflicts(Assignment at)
    {
        if (at.IsReset)
        {
            conflicts.Clear();
            return;
        }

        if (check.Words(at) is not { } globs)
        {
            return;
        }

        foreach (var glob in globs)
        {
            if (glob.Length == 0)
            {
                check.Fail(at, "empty glob (e.g. Conflicts=web@*.pod)");
            }
            else if (check.Specifiers(at, glob) && NoNodeName(at, glob))
            {
                conflicts.Add(glob);
            }
        }
    }

    private void SetGlobal(Assignment at)
    {
        global = false;
        globalAt = at;
        if (at.IsReset)
        {
            return;
        }

        if (SystemdBoolean.TryParse(at.Value, out var value, out var error))
        {
            global = value;
        }
        else
        {
            check.Fail(at, error);
        }
    }
}
