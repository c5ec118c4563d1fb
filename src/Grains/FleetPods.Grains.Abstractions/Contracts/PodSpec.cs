using FleetPods.Grains.Security;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains;

/// <summary>
/// Everything a node needs to run one pod: a <c>[Pod]</c> section, whose specifiers (<c>%n</c>, <c>%m</c>, …) the pod grain
/// expands at placement, once its node is known. <see cref="PodValidator"/> says whether it may run.
/// </summary>
/// <param name="UnitName">The unit the pod belongs to, or null for a one-off <c>fleetpods run</c> pod.</param>
[GenerateSerializer, Immutable]
public sealed record PodSpec(
    [property: Id(0)] string? UnitName,
    [property: Id(1)] PodSection Pod)
{
    /// <summary>The resources the scheduler must find free on a node.</summary>
    public ResourceRequest Resources => new(Pod.MemoryBytes ?? 0, Pod.CpuMillis ?? 0);

    /// <summary>
    /// Who admitted the pod's content (its unit's submitter, or the caller of <c>run</c>), recorded by the grains; the
    /// node runs a privileged pod only with an admin's. Null for a pod not yet admitted.
    /// </summary>
    [Id(2)]
    public PodAdmission? Admission { get; init; }

    /// <summary>The caller's console, for a one-off pod run with <c>--interactive</c> or <c>--tty</c>; null for none.</summary>
    [Id(3)]
    public PodConsole? Console { get; init; }

    /// <summary>The pod a unit asks for.</summary>
    public static PodSpec FromUnit(UnitFile unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return new PodSpec(unit.Name, unit.Pod);
    }

    /// <summary>A one-off pod of an image, as <c>fleetpods run IMAGE [-- CMD...]</c> starts it, with its flavor's defaults (stage1 ns pods in their own user namespace).</summary>
    public static PodSpec ForImage(string image, IReadOnlyList<string>? exec, Stage1Flavor stage1 = Stage1Flavor.Ns)
    {
        var traits = Stage1Traits.Of(stage1);
        return new(null, new PodSection(0, image, exec, [], null, null, null, null, null, stage1, traits.DefaultPrivateUsers, true, [], [], [], RestartPolicy.No) { Network = traits.DefaultNetwork });
    }
}
