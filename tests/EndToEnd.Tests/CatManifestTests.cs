using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// <c>fleetpods cat-manifest POD</c>: the pod manifest a node wrote for a pod it launched, and its supervisor read, as
/// <c>rkt cat-manifest</c> printed it; it passes appc's schema and FleetPods' extension schema (docs/schemas).
/// </summary>
public sealed class CatManifestTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();
    private readonly string work = Directory.CreateTempSubdirectory("fleetpods-e2e-").FullName;

    public CatManifestTests(BusyboxImage image) => this.image = image;

    public async Task InitializeAsync() => await daemon.StartWith(image);

    public async Task DisposeAsync()
    {
        await daemon.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_running_pods_manifest_is_printed_and_passes_both_schemas()
    {
        var unit = Path.Combine(work, "described.pod");
        File.WriteAllText(unit, $"""
            [Pod]
            Image={BusyboxImage.Name}
            Exec=/bin/sh -c "sleep 1000"
            Environment=GREETING=hello
            Volume=scratch,kind=empty
            Mount=volume=scratch,target=/scratch
            Memory=64M

            [App side]
            Image={BusyboxImage.Name}
            Exec=/bin/sleep 1000
            """);
        Assert.Equal(0, (await daemon.Cli("start", unit)).ExitCode);
        var pod = (await daemon.WaitForPhase("described.pod", "running", TimeSpan.FromSeconds(60))).GetProperty("id").GetString()!;

        var printed = await daemon.Cli("cat-manifest", pod[..8]);
        var asJson = await daemon.CliJson("cat-manifest", pod);

        Assert.True(printed.ExitCode == 0, printed.ToString());
        Assert.Empty(PodManifestSchemas.Problems(printed.Stdout));
        var manifest = JsonDocument.Parse(printed.Stdout).RootElement;
        Assert.Equal(asJson.GetRawText(), manifest.GetRawText());
        var apps = manifest.GetProperty("apps");
        Assert.Equal(["app", "side"], apps.EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        Assert.Equal(["/bin/sh", "-c", "sleep 1000"], apps[0].GetProperty("app").GetProperty("exec").EnumerateArray().Select(w => w.GetString()));
        Assert.Contains(apps[0].GetProperty("app").GetProperty("environment").EnumerateArray(), v => v.GetProperty("name").GetString() == "GREETING" && v.GetProperty("value").GetString() == "hello");
        Assert.Equal("/scratch", apps[0].GetProperty("mounts")[0].GetProperty("path").GetString());
        Assert.StartsWith("sha", apps[0].GetProperty("image").GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("67108864", manifest.GetProperty("isolators")[0].GetProperty("value").GetProperty("limit").GetString());
        var extension = manifest.GetProperty("fleetpods");
        Assert.Equal(pod, extension.GetProperty("podId").GetString());
        Assert.Equal("ns", extension.GetProperty("stage1").GetString());
        Assert.Equal("bridge", extension.GetProperty("network").GetProperty("mode").GetString());
    }

    // A person reads a manifest as themselves, through the socket, by their role: the reader group's member may, another not.
    [RequiresFact(Requires.Root)]
    public async Task A_reader_who_is_not_root_reads_the_manifest_and_a_user_without_a_role_is_refused()
    {
        var unit = Path.Combine(work, "read.pod");
        File.WriteAllText(unit, $"[Pod]\nImage={BusyboxImage.Name}\nExec=/bin/sleep 1000\n");
        Assert.Equal(0, (await daemon.Cli("start", unit)).ExitCode);
        var pod = (await daemon.WaitForPhase("read.pod", "running", TimeSpan.FromSeconds(60))).GetProperty("id").GetString()!;
        var user = $"fpcat{Random.Shared.Next(100000, 999999)}";
        var added = await Processes.Run("useradd", ["--no-create-home", "--no-user-group", "--shell", "/usr/sbin/nologin", user], TimeSpan.FromSeconds(30));
        Assert.True(added.ExitCode == 0, added.ToString());
        try
        {
            var refused = await AsUser(user, "cat-manifest", pod);
            Assert.Equal(0, (await Processes.Run("gpasswd", ["--add", user, "fleetpods-readers"], TimeSpan.FromSeconds(30))).ExitCode);
            var read = await AsUser(user, "cat-manifest", pod);

            Assert.Equal((1, $"fleetpods: showing a pod needs the reader role; you are {user} (no role)\n"), (refused.ExitCode, refused.Stderr));
            Assert.True(read.ExitCode == 0, read.ToString());
            Assert.Equal(pod, JsonDocument.Parse(read.Stdout).RootElement.GetProperty("fleetpods").GetProperty("podId").GetString());
        }
        finally
        {
            await Processes.Run("userdel", [user], TimeSpan.FromSeconds(30));
        }
    }

    [RequiresFact(Requires.Root)]
    public void The_state_database_and_the_pods_directory_are_roots_alone()
    {
        const UnixFileMode OthersAndGroup = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(Path.Combine(daemon.DataDirectory, "state.db")) & OthersAndGroup);
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(Path.Combine(daemon.DataDirectory, "pods")) & OthersAndGroup);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_that_does_not_exist_has_no_manifest_and_exits_1()
    {
        var result = await daemon.Cli("cat-manifest", "no-such-pod");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("fleetpods: no pod named 'no-such-pod'\n", result.Stderr);
    }

    private Task<CommandResult> AsUser(string user, params string[] arguments)
    {
        // Every fleetpodsd opens /run/fleetpods to everyone at its start; one of an older build on this machine closed it (0700).
        File.SetUnixFileMode("/run/fleetpods", (UnixFileMode)0x1ED);
        return Processes.Run("runuser", ["-u", user, "--", RepositoryLayout.Cli, "--endpoint", daemon.Endpoint, .. arguments], TimeSpan.FromSeconds(60));
    }
}
