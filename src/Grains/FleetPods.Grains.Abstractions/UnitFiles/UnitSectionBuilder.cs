namespace FleetPods.Grains.UnitFiles;

/// <summary>Gathers the <c>[Unit]</c> keys of a file (last value wins, empty resets, as in <see cref="PodSectionBuilder"/>).</summary>
internal sealed class UnitSectionBuilder
{
    private readonly ValueCheck check;
    private readonly KeyTable keys;

    public UnitSectionBuilder(UnitFileErrorList errors)
    {
        check = new ValueCheck(errors);
        keys = new KeyTable("Unit", errors, ("Description", SetDescription));
    }

    public string? Description { get; private set; }

    public void Apply(Assignment assignment) => keys.Apply(assignment);

    private void SetDescription(Assignment at) =>
        Description = at.IsReset || !check.Specifiers(at, at.Value) ? null : at.Value;
}
