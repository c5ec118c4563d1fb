using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Units;

[GenerateSerializer]
public sealed class UnitState
{
    [Id(0)]
    public bool Exists { get; set; }

    [Id(1)]
    public string FileName { get; set; } = "";

    [Id(2)]
    public string Text { get; set; } = "";

    [Id(3)]
    public UnitFile? Unit { get; set; }

    [Id(4)]
    public bool IsTemplate { get; set; }

    [Id(5)]
    public UnitDesiredState DesiredState { get; set; }

    [Id(6)]
    public string? PodId { get; set; }

    [Id(7)]
    public DateTimeOffset SubmittedAt { get; set; }
}
