using System.Text.RegularExpressions;

namespace FleetPods.Silo;

/// <summary>Node names become grain keys and silo names; keep them to what a host name may hold.</summary>
public static partial class NodeNames
{
    public static bool IsValid(string name) => ValidName().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9._-]{0,62})$")]
    private static partial Regex ValidName();
}
