using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Security;

/// <summary>
/// Finds the line of a unit file that gives a privileged setting, for a refusal in the file:line:key form of every
/// submit error. The pod model keeps only its section's line, so the text is read again: the last assignment of the
/// key in <c>[Pod]</c> (for Volume= and Port=, of that name) is the one that counts, as in systemd.
/// </summary>
internal static class UnitKeyLines
{
    public static UnitFileError Locate(string fileName, string text, PodSection pod, PrivilegedUse use)
    {
        var found = pod.SectionLine;
        var inPod = false;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith('['))
            {
                inPod = line.StartsWith("[Pod]", StringComparison.Ordinal);
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (!inPod || equals < 0 || line[..equals].TrimEnd() != use.Key)
            {
                continue;
            }

            var value = line[(equals + 1)..].TrimStart();
            if (use.Name is null || value.StartsWith(use.Name + ",", StringComparison.Ordinal) || value.StartsWith(use.Name + ":", StringComparison.Ordinal))
            {
                found = i + 1;
            }
        }

        return new UnitFileError(fileName, found, use.Key, use.Description);
    }
}
