using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>rkt's image commands through the CLI and a real fleetpodsd, on images umoci and skopeo made.</summary>
public sealed class ImageCommandTests : IAsyncLifetime
{
    private readonly FleetPodsDaemon daemon = new("e2e-images");
    private readonly string images = Directory.CreateTempSubdirectory("fleetpods-e2e-images-").FullName;

    private string Layout => Path.Combine(images, "busybox-oci");

    private string DockerArchive => Path.Combine(images, "busybox-docker.tar");

    public async Task InitializeAsync()
    {
        var made = await Processes.Run(RepositoryLayout.Script("deploy/examples/make-busybox-oci.sh"), [images], TimeSpan.FromSeconds(60));
        Assert.True(made.ExitCode == 0, made.ToString());
        await daemon.Start();
    }

    public async Task DisposeAsync()
    {
        await daemon.DisposeAsync();
        Directory.Delete(images, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task Oci_and_docker_images_import_run_list_export_and_go_away_with_rm_and_gc()
    {
        var layout = await daemon.CliJson("image", "import", Layout);
        var docker = await daemon.CliJson("image", "import", DockerArchive);

        var run = await daemon.Cli("run", "busybox-oci:1.36");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("hello from oci in /srv\n", run.Stdout);
        var listed = (await daemon.CliJson("image", "list")).GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(["docker-archive", "oci"], listed.Select(i => i.GetProperty("format").GetString()).Order());
        Assert.All(listed, i => Assert.Equal(daemon.NodeName, i.GetProperty("node").GetString()));
        var manifest = await daemon.Cli("image", "cat-manifest", "busybox-oci:1.36");
        Assert.Equal(2, JsonDocument.Parse(manifest.Stdout).RootElement.GetProperty("layers").GetArrayLength());

        var exported = Path.Combine(images, "exported.tar");
        Assert.Equal(0, (await daemon.Cli("image", "export", "busybox:1.36", exported)).ExitCode);
        Assert.Equal(0, (await daemon.Cli("image", "rm", "busybox:1.36")).ExitCode);
        Assert.Equal(docker.GetProperty("digest").GetString(), (await daemon.CliJson("image", "import", exported)).GetProperty("digest").GetString());

        var inUse = await daemon.Cli("image", "rm", layout.GetProperty("digest").GetString()!);
        Assert.Equal(1, inUse.ExitCode);
        Assert.Contains("is used by a pod on this node; remove the pod first", inUse.Stderr, StringComparison.Ordinal);
        Assert.Single((await daemon.CliJson("gc", "--grace-period", "0s")).GetProperty("removed").EnumerateArray());
        Assert.Equal(2, (await daemon.CliJson("image", "gc", "--grace-period", "0s")).GetProperty("removed").GetArrayLength());
        Assert.Empty((await daemon.CliJson("image", "list")).GetProperty("images").EnumerateArray());
    }

    [RequiresFact(Requires.Root)]
    public async Task Fetch_of_an_unsigned_archive_over_http_needs_insecure_options_image_and_a_pinned_digest_is_enforced()
    {
        using var server = new System.Net.HttpListener();
        var port = TestPorts.Reserve();
        server.Prefixes.Add($"http://127.0.0.1:{port}/");
        server.Start();
        var serving = Task.Run(async () =>
        {
            while (server.IsListening)
            {
                try
                {
                    var context = await server.GetContextAsync();
                    var content = await File.ReadAllBytesAsync(DockerArchive);
                    context.Response.ContentLength64 = content.Length;
                    await context.Response.OutputStream.WriteAsync(content);
                    context.Response.Close();
                }
                catch (Exception ex) when (ex is System.Net.HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
        var url = $"http://127.0.0.1:{port}/busybox-docker.tar";

        var unsigned = await daemon.Cli("image", "fetch", url);
        var pinned = await daemon.Cli("image", "fetch", url, "--insecure-options=image", "--digest", "sha256-" + new string('0', 64));
        var fetched = await daemon.CliJson("image", "fetch", url, "--insecure-options=image");

        Assert.Equal(1, unsigned.ExitCode);
        Assert.Contains("only an ACI carries a signature FleetPods checks", unsigned.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, pinned.ExitCode);
        Assert.Contains("not the pinned sha256-000", pinned.Stderr, StringComparison.Ordinal);
        Assert.Equal("busybox", fetched.GetProperty("name").GetString());
        Assert.Equal("busybox", Assert.Single((await daemon.CliJson("image", "list")).GetProperty("images").EnumerateArray()).GetProperty("name").GetString());
        server.Stop();
        await serving;
    }

    [RequiresFact(Requires.Root)]
    public async Task A_daemon_killed_in_the_middle_of_an_extraction_leaves_nothing_a_later_pod_would_use_nor_its_upload()
    {
        var slow = await ManyFileLayout();
        var import = daemon.Cli("image", "import", slow);
        var layers = Path.Combine(daemon.DataDirectory, "images", "layers");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Directory.EnumerateDirectories(layers, ".tmp-*").Any(t => Directory.EnumerateFileSystemEntries(t, "*", SearchOption.AllDirectories).Take(100).Count() == 100))
        {
            Assert.True(DateTime.UtcNow < deadline, "the extraction never started");
            await Task.Delay(5);
        }

        var uploads = Path.Combine(daemon.DataDirectory, "api-uploads");
        Assert.NotEmpty(Directory.EnumerateDirectories(uploads));
        await daemon.Kill();
        Assert.NotEqual(0, (await import).ExitCode);
        await daemon.Start();

        Assert.Empty(Directory.EnumerateDirectories(layers, ".tmp-*"));
        Assert.False(Directory.Exists(uploads) && Directory.EnumerateFileSystemEntries(uploads).Any(), "the killed upload was left behind");
        Assert.Empty((await daemon.CliJson("image", "list")).GetProperty("images").EnumerateArray());
        Assert.Equal(0, (await daemon.Cli("image", "import", slow)).ExitCode);
        var run = await daemon.Cli("run", "slow:1.36", "--", "/bin/sh", "-c", "ls /data | wc -l");
        Assert.Equal("8192\n", run.Stdout);
    }

    // The busybox layout plus a layer of 8,192 small files: slow enough to extract that a SIGKILL lands mid-way.
    private async Task<string> ManyFileLayout()
    {
        var layout = Path.Combine(images, "slow");
        var script = """
            set -eu
            cp -a "$1" "$2"
            tree=$(mktemp -d)
            mkdir "$tree/data"
            head -c 8388608 /dev/urandom >"$tree/random"
            (cd "$tree/data" && split -b 1024 -a 5 ../random f)
            rm "$tree/random"
            tar -C "$tree" -cf "$tree.tar" data
            umoci raw add-layer --image "$2:1.36" "$tree.tar"
            rm -rf "$tree" "$tree.tar"
            """;
        var made = await Processes.Run("/bin/sh", ["-c", script, "sh", Layout, layout], TimeSpan.FromSeconds(120));
        Assert.True(made.ExitCode == 0, made.ToString());
        return layout;
    }
}
