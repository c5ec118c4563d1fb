namespace FleetPods.Grains.UnitFiles;

/// <summary>Environment variable names as POSIX shells accept them, which is what apps in images expect to read.</summary>
internal static class EnvironmentName
{
    public const string Rule = "letters, digits and '_', not starting with a digit";

    public static bool IsValid(string name) =>
        name.Length > 0
        && !char.IsAsciiDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
