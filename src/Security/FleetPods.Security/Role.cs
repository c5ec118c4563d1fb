namespace FleetPods.Security;

/// <summary>
/// What a caller may do, each role including the ones below it (Kubernetes' view, edit and admin; Nomad's read and
/// write policies). Local root is <see cref="Admin"/>; members of the <c>fleetpods-operators</c> group are
/// <see cref="Operator"/>, of <c>fleetpods-readers</c> <see cref="Reader"/>; a certificate names its role.
/// </summary>
public enum Role
{
    /// <summary>Lists, status, unit files, journals, image lists: nothing changes.</summary>
    Reader = 1,

    /// <summary>Submits, starts, stops and removes units and pods that stay inside the baseline pod policy; manages images.</summary>
    Operator = 2,

    /// <summary>Everything, including privileged pods (those that reach the host), trust, cluster settings and certificates.</summary>
    Admin = 3,
}
