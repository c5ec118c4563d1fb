namespace FleetPods.Grains;

/// <summary>
/// A caller's user name and password for the registry of a <c>docker://</c> image, as the CLI read them from the
/// caller's docker config. Its ToString hides the password, so no log line or error that names it shows it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RegistryAuth(
    [property: Id(0)] string Username,
    [property: Id(1)] string Password)
{
    public override string ToString() => $"{Username}:********";
}
