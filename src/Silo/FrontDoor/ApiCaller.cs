using FleetPods.Security;

namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// Who made a request to the API, as the front door authenticated them: a name for refusals and the audit log, the
/// role they hold (none: they may connect but do nothing), and how they came.
/// </summary>
/// <param name="Refusal">Why a presented certificate holds no role (not the cluster's, expired, revoked), or null.</param>
public sealed record ApiCaller(string Name, Role? Role, ApiChannel Via, string? Refusal = null)
{
    /// <summary>The caller the grains see, for one who holds a role.</summary>
    public Caller? AsCaller => Role is { } role ? new Caller(Name, role) : null;

    /// <summary>As refusals name them: <c>eve (reader)</c>, <c>bob (no role)</c>.</summary>
    public string Describe() => $"{Name} ({(Role is { } role ? RoleNames.Of(role) : Refusal is null ? "no role" : $"no role: {Refusal}")})";
}
