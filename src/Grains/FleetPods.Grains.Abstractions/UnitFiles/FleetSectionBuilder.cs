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

    public FleetSectionBuilder(UnitFileErrorList errors)
    {
        check = new ValueCheck(errors);
        keys = new KeyTable(
            "X-Fleet",
            errors,
            ("MachineID", a => machineId = Reference(a, "machine id")),
            ("MachineOf", a => machineOf = Reference(a, "unit name")),
            ("MachineMetadata", AddMachineMetadata),
            ("Conflicts", AddConflicts),
            ("Global", SetGlobal),
            ("Replaces", a => replaces = Reference(a, "unit name")));
    }

    public void Apply(Assignment assignment) => keys.Apply(assignment);

    public FleetSection Build() =>
        new(machineId, machineOf, machineMetadata.ToArray(), conflicts.ToArray(), global, replaces);

    private string? Reference(Assignment at, string what) =>
        at.IsReset || !check.SingleWord(at, what) || !check.Specifiers(at, at.Value) ? null : at.Value;

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
            if (check.Specifiers(at, value))
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
            else if (check.Specifiers(at, glob))
            {
                conflicts.Add(glob);
            }
        }
    }

    private void SetGlobal(Assignment at)
    {
        global = false;
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
