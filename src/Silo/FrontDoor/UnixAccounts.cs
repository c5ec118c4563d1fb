namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// Users and groups as the machine's account files name them, read afresh at each lookup so a user added to a
/// group (or removed from it) is seen at their next connection without restarting the daemon.
/// </summary>
public sealed class UnixAccounts(string root = "/")
{
    private string PasswdFile => Path.Combine(root, "etc/passwd");

    private string GroupFile => Path.Combine(root, "etc/group");

    /// <summary>The user name of <paramref name="uid"/>, or <c>uid N</c> for an id no account has.</summary>
    public string UserName(uint uid) =>
        Entries(PasswdFile).FirstOrDefault(e => e.Length > 2 && uint.TryParse(e[2], out var id) && id == uid) is { } entry
            ? entry[0]
            : $"uid {uid}";

    /// <summary>The id of group <paramref name="name"/>, or null if the machine has no such group.</summary>
    public uint? GroupId(string name) =>
        Entries(GroupFile).FirstOrDefault(e => e.Length > 2 && e[0] == name) is { } entry && uint.TryParse(entry[2], out var gid) ? gid : null;

    private static IEnumerable<string[]> Entries(string file)
    {
        if (!File.Exists(file))
        {
            return [];
        }

        return File.ReadLines(file)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(':'));
    }
}
