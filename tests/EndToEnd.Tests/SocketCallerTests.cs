namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// On this machine the CLI reaches the daemon over its API socket, which anyone may connect to: the daemon knows the
/// caller from the connection's peer credentials, and a real user (made with useradd) in neither fleetpods group gets
/// one line and exit 1, and changes nothing.
/// </summary>
public sealed class SocketCallerTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly FleetPodsDaemon daemon = new("e2e-socket-callers");
    private readonly string user = $"fpcli{Random.Shared.Next(100000, 999999)}";

    public async Task InitializeAsync()
    {
        if (!(Prerequisites.Missing(Requires.Root) is null))
        {
            return;
        }

        await daemon.Start();
        var added = await Processes.Run("useradd", ["--no-create-home", "--no-user-group", "--shell", "/usr/sbin/nologin", user], Within);
        Assert.True(added.ExitCode == 0, added.ToString());
    }

    public async Task DisposeAsync()
    {
        if ((Prerequisites.Missing(Requires.Root) is null))
        {
            await Processes.Run("userdel", [user], Within);
        }

        await daemon.DisposeAsync();
    }

    [RequiresFact(Requires.Root)]
    public async Task A_user_without_a_role_is_refused_with_one_line_and_exit_1()
    {
        var listed = await AsUser("list-pods");
        var ran = await AsUser("run", "example.com/anything", "--", "/bin/true");

        Assert.Equal((1, "", $"fleetpods: listing pods needs the reader role; you are {user} (no role)\n"), (listed.ExitCode, listed.Stdout, listed.Stderr));
        Assert.Equal((1, $"fleetpods: running a pod needs the operator role; you are {user} (no role)\n"), (ran.ExitCode, ran.Stderr));
        Assert.Empty((await daemon.CliJson("list-pods")).EnumerateArray());
    }

    private Task<CommandResult> AsUser(params string[] arguments)
    {
        // Every fleetpodsd opens /run/fleetpods to everyone at its start; one of an older build on this machine closed it (0700).
        File.SetUnixFileMode("/run/fleetpods", (UnixFileMode)0x1ED);
        return Processes.Run("runuser", ["-u", user, "--", RepositoryLayout.Cli, "--endpoint", daemon.Endpoint, .. arguments], Within);
    }
}
