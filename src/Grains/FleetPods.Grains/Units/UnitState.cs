using FleetPods.Grains.Security;
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

    /// <summary>The single pod of units stored before Count= existed; moved into <see cref="Pods"/> on activation.</summary>
    [Id(6)]
    public string? PodId { get; set; }

    [Id(7)]
    public DateTimeOffset SubmittedAt { get; set; }

    [Id(8)]
    public List<UnitPod> Pods { get; set; } = [];

    /// <summary>Bumped by every submit that changes the file; pods of an older revision are rolled over.</summary>
    [Id(9)]
    public int Revision { get; set; }

    /// <summary>Restarts in a row (for back-off); reset once a pod ran long enough.</summary>
    [Id(10)]
    public int Restarts { get; set; }

    [Id(11)]
    public DateTimeOffset? NextRestartAt { get; set; }

    /// <summary>Who submitted the file as it is (or, for an instance, its template): its pods carry it to their node. Null for units stored before the pod policy.</summary>
    [Id(12)]
    public PodAdmission? Admission { get; set; }

    /// <summary>Each <c>docker://</c> image of the file named by tag, and the digest it was pinned to when the file was submitted.</summary>
    [Id(13)]
    public Dictionary<string, string> PinnedImages { get; set; } = [];
}
