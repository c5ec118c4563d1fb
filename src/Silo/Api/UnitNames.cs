namespace FleetPods.Silo.Api;

/// <summary>Unit names as fleetctl users type them: "web" means "web.pod".</summary>
public static class UnitNames
{
    public const string Suffix = ".pod";

    public static string Of(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        return argument.EndsWith(Suffix, StringComparison.Ordinal) ? argument : argument + Suffix;
    }
}
