using System.IO.Enumeration;

namespace FleetPods.Grains.UnitFiles;

/// <summary>A <c>Conflicts=</c> glob over unit names: <c>*</c> any run of characters, <c>?</c> one; case matters.</summary>
public static class UnitGlob
{
    public static bool Matches(string glob, string unitName) =>
        FileSystemName.MatchesSimpleExpression(glob, unitName, ignoreCase: false);
}
