namespace FleetPods.EndToEnd.Tests;

/// <summary>The real <c>fleetpods cert</c> (the native command): one line per file written, modes, refusals in one line.</summary>
public sealed class CertCommandTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly string work = Directory.CreateTempSubdirectory("fleetpods-cert-").FullName;

    private string Ca => Path.Combine(work, "ca");

    [Fact]
    public async Task It_writes_one_line_per_file_with_private_keys_0600_and_never_overwrites()
    {
        var made = await Cert("ca", "create", "--dir", Ca);
        var node = await Cert("create", "--role", "node", "--name", "node1", "--ip", "10.0.0.11,127.0.0.1", "--dns", "node1.example", "--dir", Ca);

        Assert.Equal([$"wrote {Ca}/ca.key", $"wrote {Ca}/ca.crt"], Lines(made.Stdout));
        Assert.Equal([$"wrote {Ca}/node1.key", $"wrote {Ca}/node1.crt"], Lines(node.Stdout));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Ca));
        foreach (var key in new[] { "ca.key", "node1.key" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Ca, key)));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(Ca, "node1.crt")));
        var caKey = await File.ReadAllTextAsync(Path.Combine(Ca, "ca.key"));

        await Refused($"{Ca}/ca.crt exists; not overwriting it", "ca", "create", "--dir", Ca);
        await Refused($"{Ca}/node1.crt exists; not overwriting it", "create", "--role", "admin", "--name", "node1", "--dir", Ca);
        Assert.Equal(caKey, await File.ReadAllTextAsync(Path.Combine(Ca, "ca.key")));

        var revoked = await Cert("revoke", Path.Combine(Ca, "node1.crt"), "--dir", Ca);
        Assert.Equal([$"wrote {Ca}/crl.pem"], Lines(revoked.Stdout));
    }

    [Fact]
    public async Task Bad_input_is_one_line_and_exit_1()
    {
        await Cert("ca", "create", "--dir", Ca);

        await Refused("--role 'root' is not node, admin, operator or reader", "create", "--role", "root", "--name", "alice", "--dir", Ca);
        await Refused("--name 'a/b' is not a certificate name", "create", "--role", "admin", "--name", "a/b", "--dir", Ca);
        await Refused("a node certificate needs --ip or --dns", "create", "--role", "node", "--name", "n1", "--dir", Ca);
        await Refused("--dns and --ip are for node certificates", "create", "--role", "reader", "--name", "r", "--ip", "10.0.0.1", "--dir", Ca);
        await Refused("--ip '10.0.0.x' is not an IP address", "create", "--role", "node", "--name", "n1", "--ip", "10.0.0.x", "--dir", Ca);
        await Refused("--days 0 is not a number of days", "create", "--role", "admin", "--name", "alice", "--days", "0", "--dir", Ca);
        await Refused($"{work}/none/ca.crt does not exist", "create", "--role", "admin", "--name", "alice", "--dir", Path.Combine(work, "none"));
        await Refused("Option '--name' is required", "create", "--role", "admin", "--dir", Ca);
        Assert.Equal(["ca.crt", "ca.key"], Directory.GetFiles(Ca).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    public void Dispose() => Directory.Delete(work, recursive: true);

    private static async Task<CommandResult> Cert(params string[] arguments)
    {
        var result = await Processes.Run(RepositoryLayout.Cli, ["cert", .. arguments], Within);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static async Task Refused(string message, params string[] arguments)
    {
        var result = await Processes.Run(RepositoryLayout.Cli, ["cert", .. arguments], Within);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(message, Assert.Single(Lines(result.Stderr)), StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
