namespace FleetPods.NodeRuntime;

/// <summary>
/// A user name and password for one registry, as the caller's docker config holds them. Never printed: a record's
/// generated ToString would put the password into any log line or exception that names the object.
/// </summary>
public sealed record RegistryCredentials(string Username, string Password)
{
    public override string ToString() => $"{Username}:********";
}
