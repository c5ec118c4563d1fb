namespace FleetPods.Grains.UnitFiles;

/// <summary>The keys one section accepts, each with what to do with its assignments.</summary>
internal sealed class KeyTable(string section, UnitFileErrorList errors, params (string Key, Action<Assignment> Apply)[] keys)
{
    public void Apply(Assignment assignment)
    {
        foreach (var (key, apply) in keys)
        {
            // Case-sensitive, as systemd: "image=" is a typo to report, not a spelling to accept.
            if (key == assignment.Key)
            {
                apply(assignment);
                return;
            }
        }

        errors.Add(
            assignment.Line,
            assignment.Key,
            $"unknown key '{ErrorText.Quote(assignment.Key)}' in [{section}] (accepted: {string.Join(", ", keys.Select(k => k.Key))})");
    }
}
