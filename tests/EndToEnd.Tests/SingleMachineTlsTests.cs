namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// The embedded single-machine default makes its CA, node and admin certificates at its first start, keys readable
/// by root only, and its API over HTTPS takes its own admin certificate and no other CA's.
/// </summary>
public sealed class SingleMachineTlsTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly FleetPodsDaemon daemon = new("e2e-tls-single");

    public async Task InitializeAsync()
    {
        daemon.PkiDirectory = Path.Combine(daemon.DataDirectory, "pki");
        await daemon.Start();
    }

    public async Task DisposeAsync() => await daemon.DisposeAsync();

    [RequiresFact(Requires.Root)]
    public async Task The_first_start_makes_root_only_keys_and_the_https_api_takes_that_admin_certificate_only()
    {
        var pki = daemon.PkiDirectory!;
        Assert.Equal(["admin.crt", "admin.key", "ca.crt", "ca.key", "node.crt", "node.key"], Directory.GetFiles(pki).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(pki));

        var user = $"fptls{Random.Shared.Next(10000, 99999)}";
        Assert.Equal(0, (await Processes.Run("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", user], Within)).ExitCode);
        try
        {
            // The data directory is the daemon's own choice of mode; open it so only the PKI directory's and the keys' modes decide.
            File.SetUnixFileMode(daemon.DataDirectory, (UnixFileMode)Convert.ToInt32("755", 8));
            foreach (var key in new[] { "ca.key", "node.key", "admin.key" })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(pki, key)));
                var read = await Processes.Run("runuser", ["-u", user, "--", "cat", Path.Combine(pki, key)], Within);
                Assert.NotEqual(0, read.ExitCode);
                Assert.Contains("Permission denied", read.Stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            await Processes.Run("userdel", [user], Within);
        }

        var own = await Cli(pki);
        Assert.True(own.ExitCode == 0, $"{own}\n{daemon.Log}");
        Assert.Contains("e2e-tls-single", own.Stdout, StringComparison.Ordinal);

        // The tests' shared CA is another cluster's: its admin certificate is refused, whatever CA the client trusts.
        var shared = (await TestPki.Shared).Directory;
        var foreign = await Processes.Run(RepositoryLayout.Cli, ["--endpoint", $"https://127.0.0.1:{daemon.ApiPort}", "list-machines"], Within, new Dictionary<string, string?>
        {
            ["FLEETPODS_CLIENT_CERT"] = shared.AdminCertificate,
            ["FLEETPODS_CLIENT_KEY"] = shared.AdminKey,
            ["FLEETPODS_CA_CERT"] = Path.Combine(pki, "ca.crt"),
        });
        Assert.True(foreign.ExitCode == 1, foreign.ToString());
        Assert.DoesNotContain("   at ", foreign.Stderr, StringComparison.Ordinal);
    }

    private Task<CommandResult> Cli(string pki) =>
        Processes.Run(RepositoryLayout.Cli, ["--endpoint", $"https://127.0.0.1:{daemon.ApiPort}", "list-machines"], Within, new Dictionary<string, string?>
        {
            ["FLEETPODS_CLIENT_CERT"] = Path.Combine(pki, "admin.crt"),
            ["FLEETPODS_CLIENT_KEY"] = Path.Combine(pki, "admin.key"),
            ["FLEETPODS_CA_CERT"] = Path.Combine(pki, "ca.crt"),
        });
}
