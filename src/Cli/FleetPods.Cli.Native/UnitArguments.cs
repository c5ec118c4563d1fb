namespace FleetPods.Cli.Native;

/// <summary>Unit names as fleetctl users type them: "web" means "web.pod"; a path names the unit of its file.</summary>
internal static class UnitArguments
{
    public const string Suffix = ".pod";

    public static string ToUnitName(string argument)
    {
        var name = Path.GetFileName(argument);
        return name.EndsWith(Suffix, StringComparison.Ordinal) ? name : name + Suffix;
    }

    /// <summary>True when the argument is a unit file on disk rather than the name of a submitted unit.</summary>
    public static bool IsFile(string argument) =>
        argument.EndsWith(Suffix, StringComparison.Ordinal) && (argument.Contains('/', StringComparison.Ordinal) || File.Exists(argument));
}
