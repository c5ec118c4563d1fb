namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// Real local users for the front door's tests, made with useradd under unique names and removed with userdel:
/// one in no group, one in fleetpods-operators, one in fleetpods-readers. The two role groups are the daemon's
/// fixed names; they are made if missing (groupadd -f) and left in place, as other tests running at the same time
/// may use them.
/// </summary>
public sealed class FrontDoorUsers : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private readonly string suffix = Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> made = [];

    public string Nobody => $"fpnone{suffix}";

    public string Operator => $"fpop{suffix}";

    public string Reader => $"fpread{suffix}";

    public async Task InitializeAsync()
    {
        if (Prerequisites.Missing(Requires.Root) is not null && !Prerequisites.RequireAll)
        {
            return;
        }

        foreach (var group in new[] { "fleetpods-operators", "fleetpods-readers" })
        {
            await Run("groupadd", "-f", group);
        }

        foreach (var (user, group) in new[] { (Nobody, (string?)null), (Operator, "fleetpods-operators"), (Reader, "fleetpods-readers") })
        {
            await Run("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", .. group is null ? Array.Empty<string>() : ["--groups", group], user]);
            made.Add(user);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var user in made)
        {
            await Run("userdel", user);
        }
    }

    private static async Task Run(string command, params string[] arguments)
    {
        var result = await Processes.Run(command, arguments, Within);
        Assert.True(result.ExitCode == 0, $"{command} {string.Join(' ', arguments)}: {result}");
    }
}
