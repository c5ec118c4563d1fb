namespace FleetPods.Grains;

/// <summary>
/// A submitted unit, keyed by its full name (<c>web.pod</c>, <c>web@.pod</c>, <c>web@1.pod</c>).
/// It validates and stores the unit file and reconciles its desired state with its pod.
/// </summary>
public interface IUnitGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates and stores a unit file. On any error nothing is stored and every error is returned. Needs the operator
    /// role, and admin for a privileged pod (<see cref="Security.PodSecurity"/>): else <see cref="Security.AccessDeniedException"/>
    /// listing the lines at fault, and nothing is stored. The same file again is a no-op for any operator.
    /// </summary>
    /// <param name="fileName">The name the user gave the file; errors name it.</param>
    /// <param name="text">The file's contents.</param>
    Task<SubmitResult> Submit(string fileName, string text);

    /// <summary>The unit and its pods, or null when no such unit was submitted. Answers even while the unit is busy reconciling.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<UnitStatus?> GetStatus();

    /// <summary>The unit file as submitted, or null when no such unit was submitted.</summary>
    Task<string?> GetText();

    /// <summary>Who admitted the unit's content (its submitter, or its template's), or null when no such unit was submitted.</summary>
    Task<Security.PodAdmission?> GetAdmission();

    /// <summary>Places the unit's pod on a node and reserves its resources there, without starting it.</summary>
    Task<UnitStatus> Load();

    /// <summary>Places the unit's pod if needed and runs it. A pod that has ended is replaced by a new one.</summary>
    Task<UnitStatus> Start();

    /// <summary>Stops the unit's pod (SIGTERM, then SIGKILL after <paramref name="grace"/>); the unit stays loaded.</summary>
    Task<UnitStatus> Stop(TimeSpan grace);

    /// <summary>Stops and removes the unit's pod and frees its reservation; the unit file stays submitted.</summary>
    Task<UnitStatus> Unload(TimeSpan grace);

    /// <summary>Unloads the unit and forgets it.</summary>
    Task Destroy(TimeSpan grace);

    /// <summary>
    /// Brings the unit's pods in line with what it asks: replaces pods whose node left and followers whose
    /// MachineOf= target moved, keeps Count= pods (one per matching node when Global=true), restarts ended
    /// pods as Restart= says, and rolls a changed unit out one pod at a time, asking every pod where it is. Called
    /// when the cluster's membership changes and by a node that holds an ended pod of the unit (its pods tell the unit
    /// their changes themselves); safe to call at any time. Calls that arrive while a reconcile waits to run are one
    /// reconcile, so a burst costs one round, not one each.
    /// </summary>
    [Orleans.Concurrency.OneWay]
    [Orleans.Concurrency.AlwaysInterleave]
    Task Reconcile();
}
