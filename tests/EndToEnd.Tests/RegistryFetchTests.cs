using System.Text;
using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// <c>fleetpods image fetch docker://…</c> from the CLI through a real fleetpodsd to a real registry (Debian's
/// docker-registry, HTTPS with a test CA and htpasswd users): the caller's docker config.json in a HOME of the
/// test's, the CA file read by the CLI, a wrong password refused in one line, a daemon's mirror tried first.
/// </summary>
public sealed class RegistryFetchTests : IAsyncLifetime
{
    private readonly string images = Directory.CreateTempSubdirectory("fleetpods-e2e-registry-").FullName;
    private readonly string home = Directory.CreateTempSubdirectory("fleetpods-e2e-home-").FullName;
    private readonly int unreachablePort = TestPorts.Reserve();
    private FleetPodsDaemon daemon = null!;
    private TestRegistry registry = null!;
    private TestRegistry mirror = null!;

    private string Layout => Path.Combine(images, "busybox-oci");

    public async Task InitializeAsync()
    {
        var made = await Processes.Run(RepositoryLayout.Script("deploy/examples/make-busybox-oci.sh"), [images], TimeSpan.FromSeconds(60));
        Assert.True(made.ExitCode == 0, made.ToString());
        registry = await TestRegistry.Start(new TestRegistryOptions(Tls: true) { Users = new Dictionary<string, string> { ["alice"] = "s3cret" } });
        await registry.Push($"oci:{Layout}:1.36", "team/busybox:1.36");
        mirror = await TestRegistry.Start();
        await mirror.Push($"oci:{Layout}:1.36", "busybox:1.36");
        daemon = new FleetPodsDaemon("e2e-registry") { Options = ["--registry-mirror", $"127.0.0.1:{unreachablePort}=http://{mirror.Host}"] };
        await daemon.Start();
    }

    public async Task DisposeAsync()
    {
        await daemon.DisposeAsync();
        await registry.DisposeAsync();
        await mirror.DisposeAsync();
        Directory.Delete(images, recursive: true);
        Directory.Delete(home, recursive: true);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task Fetch_with_the_callers_docker_config_and_ca_file_pulls_by_tag_and_the_image_runs()
    {
        WriteDockerConfig(Path.Combine(home, ".docker", "config.json"), $"https://{registry.Host}/v2/", "alice", "s3cret");

        var fetched = await Cli("image", "fetch", $"docker://{registry.Host}/team/busybox:1.36", "--ca-file", registry.CaFile!, "--output", "json");
        Assert.True(fetched.ExitCode == 0, fetched.ToString());
        var image = JsonDocument.Parse(fetched.Stdout).RootElement;
        var run = await Cli("run", $"{registry.Host}/team/busybox:1.36");

        Assert.Equal($"{registry.Host}/team/busybox", image.GetProperty("name").GetString());
        Assert.StartsWith("sha256-", image.GetProperty("digest").GetString(), StringComparison.Ordinal);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("hello from oci in /srv\n", run.Stdout);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task A_wrong_password_from_creds_file_is_one_line_and_exit_1_and_never_echoed()
    {
        var creds = Path.Combine(home, "other-config.json");
        WriteDockerConfig(creds, registry.Host, "alice", "wrong-Pa55");

        var refused = await Cli("image", "fetch", $"docker://{registry.Host}/team/busybox:1.36", "--ca-file", registry.CaFile!, "--creds-file", creds);

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(
            $"fleetpods: cannot pull docker://{registry.Host}/team/busybox:1.36 on node {daemon.NodeName}: registry {registry.Host} refused the credentials of 'alice' for team/busybox (401 Unauthorized): check the user name and password\n",
            refused.Stderr);
        Assert.DoesNotContain("wrong-Pa55", daemon.Log, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task The_daemons_mirror_is_tried_first()
    {
        var fetched = await Cli("image", "fetch", $"docker://127.0.0.1:{unreachablePort}/busybox:1.36", "--insecure", "--output", "json");

        Assert.True(fetched.ExitCode == 0, fetched.ToString());
        Assert.Equal($"127.0.0.1:{unreachablePort}/busybox", JsonDocument.Parse(fetched.Stdout).RootElement.GetProperty("name").GetString());
        Assert.Contains(mirror.Log.Split('\n'), l => l.Contains("\"GET /v2/busybox/manifests/1.36 HTTP/1.1\" 200", StringComparison.Ordinal) && l.EndsWith("\"fleetpods\"", StringComparison.Ordinal));
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task At_a_terminal_each_layer_gets_its_own_progress_bar()
    {
        using var terminal = new TestTerminal(30, 120);
        terminal.Start(RepositoryLayout.Cli, "--endpoint", daemon.Endpoint, "image", "fetch", $"docker://{mirror.Host}/busybox:1.36", "--insecure");
        var exit = await terminal.WaitForExit(TimeSpan.FromSeconds(90));
        var manifest = JsonDocument.Parse((await daemon.Cli("image", "cat-manifest", $"{mirror.Host}/busybox:1.36")).Stdout).RootElement;
        var layers = manifest.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!["sha256:".Length..][..12]).ToList();

        Assert.True(exit == 0, terminal.Output);
        Assert.Equal(2, layers.Count);
        Assert.All(layers, layer => Assert.Contains(layer, terminal.Output, StringComparison.Ordinal));
        Assert.Contains("100%", terminal.Output, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task A_unit_naming_a_registry_tag_is_pinned_to_its_digest_at_submit_and_pulled_by_its_node_with_the_clusters_pull_secret()
    {
        var creds = Path.Combine(home, "admin-config.json");
        WriteDockerConfig(creds, registry.Host, "alice", "s3cret");
        var file = Path.Combine(home, "from-registry.pod");
        await File.WriteAllTextAsync(file, $"[Pod]\nImage=docker://{registry.Host}/team/busybox:1.36\nExec=/bin/sh -c \"test -x /bin/busybox && exit 7\"\n");

        var withoutSecret = await Cli("start", file);
        var set = await Cli("secret", "set-registry", registry.Host, "--creds-file", creds, "--ca-file", registry.CaFile!);
        var listed = await Cli("secret", "list", "--output", "json");
        var started = await Cli("start", file);
        var pod = await daemon.WaitForPhase("from-registry.pod", "exited", TimeSpan.FromSeconds(120));
        var stored = (await daemon.CliJson("image", "list")).GetProperty("images").EnumerateArray().Single(i => i.GetProperty("name").GetString() == $"{registry.Host}/team/busybox");

        Assert.Equal(1, withoutSecret.ExitCode);
        Assert.Contains($"cannot pin docker://{registry.Host}/team/busybox:1.36 to a digest", withoutSecret.Stderr, StringComparison.Ordinal);
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.DoesNotContain("s3cret", listed.Stdout, StringComparison.Ordinal);
        Assert.Equal("alice", JsonDocument.Parse(listed.Stdout).RootElement[0].GetProperty("username").GetString());
        Assert.True(started.ExitCode == 0, started.ToString());
        Assert.Equal(7, pod.GetProperty("exitCode").GetInt32());
        var image = pod.GetProperty("image").GetString()!;
        Assert.StartsWith($"docker://{registry.Host}/team/busybox:1.36@sha256:", image, StringComparison.Ordinal);
        Assert.Equal(stored.GetProperty("digest").GetString(), "sha256-" + image[(image.LastIndexOf(':') + 1)..]);
        Assert.DoesNotContain("s3cret", daemon.Log, StringComparison.Ordinal);
    }

    private static void WriteDockerConfig(string path, string key, string user, string password)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        var config = new Dictionary<string, object> { ["auths"] = new Dictionary<string, object> { [key] = new Dictionary<string, string> { ["auth"] = auth } } };
        File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(config));
    }

    // The CLI as a user whose HOME is the test's, with no DOCKER_CONFIG of the machine's.
    private Task<CommandResult> Cli(params string[] arguments) =>
        Processes.Run(RepositoryLayout.Cli, ["--endpoint", daemon.Endpoint, .. arguments], TimeSpan.FromSeconds(90),
            new Dictionary<string, string?> { ["HOME"] = home, ["DOCKER_CONFIG"] = null });
}
