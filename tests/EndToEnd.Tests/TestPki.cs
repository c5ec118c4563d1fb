using FleetPods.Security;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// The tests' cluster CA, made once per run with the real <c>fleetpods cert</c> command: a node certificate that
/// single-machine daemons share (<c>--pki-dir</c>), one per cluster node, and the admin certificate every CLI this
/// process starts presents (<c>$FLEETPODS_CLIENT_CERT</c>, <c>$FLEETPODS_CLIENT_KEY</c>, <c>$FLEETPODS_CA_CERT</c>).
/// </summary>
public sealed class TestPki
{
    private static readonly Lazy<Task<TestPki>> Instance = new(Make);

    private TestPki(string directory) => Directory = new PkiDirectory(directory);

    /// <summary>The CA's directory: ca.crt, ca.key, node.crt/key (for single-machine daemons), admin.crt/key.</summary>
    public PkiDirectory Directory { get; }

    public static Task<TestPki> Shared => Instance.Value;

    /// <summary>Runs <c>fleetpods cert ARGS --dir DIR</c> and asserts it succeeded.</summary>
    public static async Task<CommandResult> Cert(string directory, params string[] arguments)
    {
        var result = await Processes.Run(RepositoryLayout.Cli, ["cert", .. arguments, "--dir", directory], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>Makes <paramref name="node"/> the PKI directory of cluster node <paramref name="nodeName"/>: ca.crt and its node certificate.</summary>
    public Task<string> NodeDirectory(string nodeName, string node) => NodeDirectory(Directory, nodeName, node);

    /// <summary>Makes <paramref name="node"/> a node's PKI directory with the CA in <paramref name="authority"/>, as an administrator would.</summary>
    /// <param name="role">The certificate's role: node, or another to see it refused.</param>
    public static async Task<string> NodeDirectory(PkiDirectory authority, string nodeName, string node, string role = "node")
    {
        ArgumentNullException.ThrowIfNull(authority);
        System.IO.Directory.CreateDirectory(node, PkiDirectory.Mode);
        string[] addresses = role == "node" ? ["--ip", "127.0.0.1", "--dns", "localhost"] : [];
        await Cert(authority.Path, ["create", "--role", role, "--name", nodeName, .. addresses, "--out", Path.Combine(node, "node")]);
        File.Copy(authority.CaCertificate, Path.Combine(node, "ca.crt"));
        return node;
    }

    private static async Task<TestPki> Make()
    {
        // The test host is ended, not exited, so nothing runs after the last test: a run removes what earlier runs left.
        foreach (var stale in System.IO.Directory.GetDirectories(Path.GetTempPath(), "fleetpods-e2e-ca-*"))
        {
            if (int.TryParse(Path.GetFileName(stale)["fleetpods-e2e-ca-".Length..], out var pid) && !System.IO.Directory.Exists($"/proc/{pid}"))
            {
                System.IO.Directory.Delete(stale, recursive: true);
            }
        }

        var root = Path.Combine(Path.GetTempPath(), $"fleetpods-e2e-ca-{Environment.ProcessId}");
        var directory = Path.Combine(root, "pki");
        await Cert(directory, "ca", "create");
        await Cert(directory, "create", "--role", "node", "--name", "e2e-node", "--ip", "127.0.0.1", "--dns", "localhost", "--out", "node");
        await Cert(directory, "create", "--role", "admin", "--name", "e2e-admin", "--out", "admin");
        var pki = new TestPki(directory);
        // Every CLI this process starts from now on presents the admin certificate (they inherit the environment).
        Environment.SetEnvironmentVariable("FLEETPODS_CLIENT_CERT", pki.Directory.AdminCertificate);
        Environment.SetEnvironmentVariable("FLEETPODS_CLIENT_KEY", pki.Directory.AdminKey);
        Environment.SetEnvironmentVariable("FLEETPODS_CA_CERT", pki.Directory.CaCertificate);
        return pki;
    }
}
