using System.Text;
using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// The HTTP API on a real fleetpodsd's Unix socket, called with real curl by real users: root (admin), a user in
/// no group, one in fleetpods-operators and one in fleetpods-readers, each known to the daemon by the kernel's peer
/// credentials alone.
/// </summary>
public sealed partial class FrontDoorTests : IClassFixture<FrontDoorDaemon>, IClassFixture<FrontDoorUsers>, IAsyncLifetime
{
    private const string? Root = null;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    // Every endpoint of the API v1, with a body where it takes one.
    private static readonly (string Method, string Path, string? Body)[] Endpoints =
    [
        ("GET", "/v1/whoami", null), ("GET", "/v1/units", null), ("GET", "/v1/unit-files", null), ("GET", "/v1/units/web", null),
        ("GET", "/v1/units/web/file", null), ("PUT", "/v1/units/web", "[Pod]\nImage=example.com/busybox\nExec=/bin/true\n"),
        ("POST", "/v1/units/web/load", null), ("POST", "/v1/units/web/start", null), ("POST", "/v1/units/web/stop", null),
        ("POST", "/v1/units/web/unload", null), ("DELETE", "/v1/units/web", null), ("GET", "/v1/units/web/wait", null),
        ("POST", "/v1/units/start", "{\"units\":[{\"name\":\"web\"}]}"),
        ("GET", "/v1/pods", null), ("GET", "/v1/pods/0", null), ("GET", "/v1/pods/0/wait", null), ("POST", "/v1/pods/0/stop", null),
        ("DELETE", "/v1/pods/0", null), ("GET", "/v1/machines", null), ("GET", "/v1/images", null), ("POST", "/v1/images", "not an image"),
        ("POST", "/v1/images/fetch", "{\"url\":\"file:///etc/passwd\"}"), ("DELETE", "/v1/images/example.com%2Fbusybox", null),
        ("GET", "/v1/images/example.com%2Fbusybox/manifest", null), ("GET", "/v1/images/example.com%2Fbusybox/archive", null),
        ("GET", "/v1/images/example.com%2Fbusybox/rootfs", null), ("POST", "/v1/images/gc?gracePeriod=0s", null), ("POST", "/v1/gc?gracePeriod=0s", null),
        ("POST", "/v1/run", "{\"arguments\":[\"example.com/busybox\"]}"), ("GET", "/v1/openapi/v1.json", null),
        ("POST", "/v1/pods/0/enter", "{}"), ("POST", "/v1/pods/0/input", "typed"), ("POST", "/v1/pods/0/resize", "{\"rows\":1,\"columns\":1}"),
        ("GET", "/v1/trust", null), ("POST", "/v1/trust?prefix=example.com", "not a key"), ("DELETE", "/v1/trust/ABCD", null), ("DELETE", "/v1/trust?prefix=example.com", null),
        ("GET", "/v1/registry-secrets", null), ("PUT", "/v1/registry-secrets/registry.example.com", "{}"), ("DELETE", "/v1/registry-secrets/registry.example.com", null),
    ];

    private readonly FleetPodsDaemon daemon;
    private readonly FrontDoorUsers users;
    private readonly FrontDoorCurl curl;

    public FrontDoorTests(FrontDoorDaemon fixture, FrontDoorUsers users)
    {
        daemon = fixture.Daemon;
        this.users = users;
        curl = new FrontDoorCurl(daemon);
    }

    public async Task InitializeAsync()
    {
        if (Prerequisites.Missing(Requires.Root) is null || Prerequisites.RequireAll)
        {
            await curl.WaitUntilServed();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [RequiresFact(Requires.Root)]
    public async Task Root_is_an_admin_that_lists_and_runs()
    {
        var whoami = await curl.Call(Root, "GET", "/v1/whoami");
        var machines = await curl.Call(Root, "GET", "/v1/machines");
        var run = await curl.Call(Root, "POST", "/v1/run", Run("echo out; echo err >&2; exit 3"));

        Assert.Equal((200, "root", "admin", daemon.NodeName), (whoami.Status, Text(whoami.Json, "name"), Text(whoami.Json, "role"), Text(whoami.Json, "node")));
        Assert.Equal(daemon.NodeName, Text(Assert.Single(machines.Json.EnumerateArray()), "name"));
        Assert.True(run.Status == 200, run.ToString());
        var lines = run.Lines;
        Assert.True(lines[0].TryGetProperty("pod", out var pod), run.Body);
        Assert.Equal("out\nerr\n", string.Concat(lines.Where(l => l.TryGetProperty("output", out _)).Select(l => Encoding.UTF8.GetString(l.GetProperty("output").GetBytesFromBase64()))));
        Assert.Equal(3, lines[^1].GetProperty("exitCode").GetInt32());
        var status = await curl.Call(Root, "GET", $"/v1/pods/{pod.GetString()![..8]}");
        Assert.Equal(("exited", 3), (Text(status.Json, "phase"), status.Json.GetProperty("exitCode").GetInt32()));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_user_in_no_group_is_refused_on_every_endpoint_and_nothing_changes()
    {
        var before = await State();

        foreach (var (method, path, body) in Endpoints)
        {
            var answer = await curl.Call(users.Nobody, method, path, body);

            Assert.True(answer.Status == 403, $"{method} {path}: {answer}");
            Assert.EndsWith($"; you are {users.Nobody} (no role)", answer.Error, StringComparison.Ordinal);
        }

        Assert.Equal(before, await State());
    }

    [RequiresFact(Requires.Root)]
    public async Task Trusted_keys_and_pull_secrets_are_an_admins_and_a_reader_may_list_the_keys()
    {
        var trust = await curl.Call(users.Operator, "POST", "/v1/trust?prefix=example.com", "-----BEGIN PGP PUBLIC KEY BLOCK-----");
        var secrets = await curl.Call(users.Operator, "GET", "/v1/registry-secrets");
        var setSecret = await curl.Call(users.Operator, "PUT", "/v1/registry-secrets/registry.example.com", "{\"username\":\"u\",\"password\":\"p\"}");
        var keys = await curl.Call(users.Reader, "GET", "/v1/trust");
        var notAKey = await curl.Call(Root, "POST", "/v1/trust?prefix=example.com", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnonsense\n-----END PGP PUBLIC KEY BLOCK-----\n");

        Assert.Equal((403, $"trusting a signing key needs the admin role; you are {users.Operator} (operator)"), (trust.Status, trust.Error));
        Assert.Equal((403, $"listing registry pull secrets needs the admin role; you are {users.Operator} (operator)"), (secrets.Status, secrets.Error));
        Assert.Equal(403, setSecret.Status);
        Assert.Equal(200, keys.Status);
        Assert.Equal(400, notAKey.Status);
        Assert.StartsWith("the body is not a key to trust: not a readable OpenPGP public key", notAKey.Error, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task An_operator_submits_starts_runs_and_lists()
    {
        var unit = $"op-{Guid.NewGuid():N}"[..12];

        var whoami = await curl.Call(users.Operator, "GET", "/v1/whoami");
        var submitted = await curl.Call(users.Operator, "PUT", $"/v1/units/{unit}", "[Pod]\nImage=example.com/busybox\nExec=/bin/sh -c \"exit 7\"\n");
        var started = await curl.Call(users.Operator, "POST", $"/v1/units/{unit}/start");
        var waited = await curl.Call(users.Operator, "GET", $"/v1/units/{unit}/wait");
        var run = await curl.Call(users.Operator, "POST", "/v1/run", Run("echo from operator"));
        var units = await curl.Call(users.Operator, "GET", "/v1/units");

        Assert.Equal("operator", Text(whoami.Json, "role"));
        Assert.True(submitted.Status == 200, submitted.ToString());
        Assert.Equal(("inactive", $"{unit}.pod"), (Text(submitted.Json, "desiredState"), Text(submitted.Json, "name")));
        Assert.True(started.Status == 200, started.ToString());
        Assert.Equal("launched", Text(started.Json, "desiredState"));
        Assert.Equal(7, waited.Json.GetProperty("pod").GetProperty("exitCode").GetInt32());
        Assert.Equal(0, run.Lines[^1].GetProperty("exitCode").GetInt32());
        Assert.Contains(units.Json.EnumerateArray(), u => Text(u, "name") == $"{unit}.pod");
        Assert.Matches($@"Audit: {users.Operator} \(operator\) via socket: PUT /v1/units/{unit} target {unit}: 200 done", daemon.Log);
        Assert.Matches($@"Audit: {users.Operator} \(operator\) via socket: POST /v1/units/{unit}/start target {unit}: 200 done", daemon.Log);
    }

    [RequiresFact(Requires.Root)]
    public async Task An_operator_cannot_reach_the_host_through_a_pod_or_a_fetch_and_an_admin_can()
    {
        var unit = $"pv-{Guid.NewGuid():N}"[..12];
        var host = Directory.CreateTempSubdirectory("fleetpods-e2e-host-");
        await File.WriteAllTextAsync(Path.Combine(host.FullName, "secret"), "the node's\n");
        string[] hostVolume = ["--volume", $"h,kind=host,source={host.FullName}", "--mount", "volume=h,target=/h"];
        var before = await State();

        var submit = await curl.Call(users.Operator, "PUT", $"/v1/units/{unit}", $"[Pod]\nImage=example.com/busybox\nExec=/bin/true\nVolume=h,kind=host,source={host.FullName}\nMount=volume=h,target=/h\n");
        var run = await curl.Call(users.Operator, "POST", "/v1/run", RunWith(hostVolume, "cat /h/secret"));
        var hostNetwork = await curl.Call(users.Operator, "POST", "/v1/run", RunWith(["--net", "host"], "true"));
        var fetch = await curl.Call(users.Operator, "POST", "/v1/images/fetch", JsonSerializer.Serialize(new { url = $"file://{host.FullName}/secret" }));
        var unchanged = await State();
        var admin = await curl.Call(Root, "POST", "/v1/run", RunWith(hostVolume, "cat /h/secret"));
        host.Delete(recursive: true);

        Assert.Equal(403, submit.Status);
        Assert.Contains($"needs the admin role (privileged pod); you are {users.Operator} (operator)", submit.Error, StringComparison.Ordinal);
        Assert.Equal("Volume", Text(Assert.Single(submit.Json.GetProperty("errors").EnumerateArray()), "key"));
        Assert.Equal(403, run.Status);
        Assert.Contains("needs the admin role (privileged pod)", run.Error, StringComparison.Ordinal);
        Assert.Equal(403, hostNetwork.Status);
        Assert.Contains("needs the admin role (privileged pod)", hostNetwork.Error, StringComparison.Ordinal);
        Assert.Contains("fetching a file:// URL needs the admin role", fetch.Status == 200 ? Text(fetch.Lines[^1], "error") : fetch.Error, StringComparison.Ordinal);
        Assert.Equal(before, unchanged);
        Assert.True(admin.Status == 200, admin.ToString());
        Assert.Equal("the node's\n", string.Concat(admin.Lines.Where(l => l.TryGetProperty("output", out _)).Select(l => Encoding.UTF8.GetString(l.GetProperty("output").GetBytesFromBase64()))));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_reader_lists_but_a_submit_start_or_run_is_refused_and_nothing_changes()
    {
        var unit = $"rd-{Guid.NewGuid():N}"[..12];
        Assert.Equal(200, (await curl.Call(Root, "PUT", $"/v1/units/{unit}", "[Pod]\nImage=example.com/busybox\nExec=/bin/true\n")).Status);
        var before = await State();

        var pods = await curl.Call(users.Reader, "GET", "/v1/pods");
        var status = await curl.Call(users.Reader, "GET", $"/v1/units/{unit}");
        var start = await curl.Call(users.Reader, "POST", $"/v1/units/{unit}/start");
        var submit = await curl.Call(users.Reader, "PUT", $"/v1/units/{unit}", "[Pod]\nImage=example.com/busybox\nExec=/bin/false\n");
        var run = await curl.Call(users.Reader, "POST", "/v1/run", Run("echo never"));

        Assert.Equal((200, 200), (pods.Status, status.Status));
        Assert.Equal((403, $"starting a unit needs the operator role; you are {users.Reader} (reader)"), (start.Status, start.Error));
        Assert.Equal((403, $"submitting a unit needs the operator role; you are {users.Reader} (reader)"), (submit.Status, submit.Error));
        Assert.Equal((403, $"running a pod needs the operator role; you are {users.Reader} (reader)"), (run.Status, run.Error));
        Assert.Equal(before, await State());
        Assert.Equal("[Pod]\nImage=example.com/busybox\nExec=/bin/true\n", (await curl.Call(Root, "GET", $"/v1/units/{unit}/file")).Body);
        Assert.Contains($"Audit: {users.Reader} (reader) via socket: POST /v1/units/{unit}/start target {unit}: 403 starting a unit needs the operator role", daemon.Log, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task An_operator_enters_a_baseline_pod_with_the_command_but_not_a_privileged_one_and_a_reader_none()
    {
        var baseline = await RunningUnit("[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\nNetwork=none\n");
        var privileged = await RunningUnit("[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\nNetwork=host\n");

        var entered = await Enter(users.Operator, "hi\n", baseline, "--", "/bin/sh", "-c", "read -r line; echo \"got $line\"; id -u; exit 4");
        var refused = await Enter(users.Operator, "", privileged, "--", "/bin/true");
        var reader = await Enter(users.Reader, "", baseline, "--", "/bin/true");

        Assert.True(entered.ExitCode == 4, entered.ToString());
        Assert.Equal("got hi\n0\n", entered.Stdout);
        Assert.Equal((1, $"fleetpods: enter privileged pod {privileged} needs the admin role; you are {users.Operator} (operator)\n"), (refused.ExitCode, refused.Stderr));
        Assert.Equal((1, $"fleetpods: entering a pod needs the operator role; you are {users.Reader} (reader)\n"), (reader.ExitCode, reader.Stderr));
        Assert.Matches($@"Audit: {users.Operator} \(operator\) via socket: POST /v1/pods/{baseline}/enter target {baseline}: 200 done", daemon.Log);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_run_streams_its_output_as_it_comes_and_closing_curl_stops_the_pod()
    {
        using var run = curl.StartRun(users.Operator, "example.com/busybox", "--", "/bin/sh", "-c", "trap 'exit 42' TERM; echo ready; while true; do sleep 0.1; done");
        var first = JsonDocument.Parse((await run.StandardOutput.ReadLineAsync().WaitAsync(Within))!).RootElement;
        var second = JsonDocument.Parse((await run.StandardOutput.ReadLineAsync().WaitAsync(Within))!).RootElement;
        var pod = first.GetProperty("pod").GetString()!;
        Assert.Equal("ready\n", Encoding.UTF8.GetString(second.GetProperty("output").GetBytesFromBase64()));
        Assert.Equal("running", Text((await curl.Call(Root, "GET", $"/v1/pods/{pod}")).Json, "phase"));

        run.Kill(entireProcessTree: true);

        var ended = await curl.Call(Root, "GET", $"/v1/pods/{pod}/wait");
        Assert.Equal(("exited", 42), (Text(ended.Json, "phase"), ended.Json.GetProperty("exitCode").GetInt32()));
    }

    [RequiresFact(Requires.Root)]
    public async Task Errors_are_one_line_with_the_status_of_their_kind()
    {
        var missing = await curl.Call(Root, "GET", "/v1/units/no-such-unit");
        var badGrace = await curl.Call(Root, "POST", "/v1/pods/0/stop?grace=soon");
        var badUnit = await curl.Call(Root, "PUT", "/v1/units/bad", "[Pod]\nImage=example.com/busybox\nExec=/bin/true\nMemory=lots\n");
        var badRun = await curl.Call(Root, "POST", "/v1/run", "{\"arguments\":[\"--memory\",\"lots\",\"example.com/busybox\"]}");

        Assert.Equal((404, "unit no-such-unit.pod not found"), (missing.Status, missing.Error));
        Assert.Equal((400, "grace='soon' is not a duration (e.g. 10s, 500ms, 2m)"), (badGrace.Status, badGrace.Error));
        Assert.Equal(400, badUnit.Status);
        var error = Assert.Single(badUnit.Json.GetProperty("errors").EnumerateArray());
        Assert.Equal((4, "Memory"), (error.GetProperty("line").GetInt32(), Text(error, "key")));
        Assert.Equal((400, "--memory 'lots': invalid size 'lots' (expected e.g. 256M)"), (badRun.Status, badRun.Error));
    }

    [RequiresFact(Requires.Root)]
    public async Task An_image_exported_as_a_stream_imports_again_from_the_request_body()
    {
        var archive = Path.Combine(daemon.DataDirectory, "..", $"{Guid.NewGuid():N}-exported.aci");
        try
        {
            var export = await Processes.Run("curl", ["-sS", "--fail", "--unix-socket", curl.Socket, "-o", archive, "http://localhost/v1/images/example.com%2Fbusybox/archive"], Within);
            Assert.True(export.ExitCode == 0, export.ToString());

            var import = await Processes.Run("curl", ["-sS", "--fail", "--unix-socket", curl.Socket, "--data-binary", $"@{archive}", "http://localhost/v1/images?filename=busybox.aci"], Within);

            Assert.True(import.ExitCode == 0, import.ToString());
            Assert.Equal("example.com/busybox", Text(JsonDocument.Parse(import.Stdout).RootElement, "name"));
            Assert.Equal(0, (await curl.Call(Root, "POST", "/v1/run", Run("exit 0"))).Lines[^1].GetProperty("exitCode").GetInt32());
        }
        finally
        {
            File.Delete(archive);
        }
    }

    [RequiresFact(Requires.Root)]
    public async Task A_bad_api_port_or_one_a_live_daemon_serves_is_one_line_and_no_start()
    {
        var data = Directory.CreateTempSubdirectory("fleetpods-e2e-port-").FullName;
        try
        {
            string[] ports = ["--data-dir", data, "--silo-port", $"{TestPorts.Reserve()}", "--gateway-port", $"{TestPorts.Reserve()}"];

            var bad = await Processes.Run("dotnet", [RepositoryLayout.Daemon, .. ports, "--api-port", "70000"], Within);
            var taken = await Processes.Run("dotnet", [RepositoryLayout.Daemon, .. ports, "--api-port", $"{daemon.ApiPort}", "--pki-dir", daemon.PkiDirectory!], Within);

            Assert.Equal((2, "fleetpodsd: --api-port 70000 is not a port (1-65535)\n"), (bad.ExitCode, bad.Stderr));
            Assert.Equal((1, $"fleetpodsd: another fleetpodsd serves {curl.Socket}; stop it or choose another --api-port\n"), (taken.ExitCode, taken.Stderr));
            Assert.Equal(200, (await curl.Call(Root, "GET", "/v1/whoami")).Status);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static string RunWith(string[] flags, string script) =>
        JsonSerializer.Serialize(new { arguments = (string[])[.. flags, "example.com/busybox", "--", "/bin/sh", "-c", script] });

    private static string Run(string script) => JsonSerializer.Serialize(new { arguments = new[] { "example.com/busybox", "--", "/bin/sh", "-c", script } });

    private static string? Text(JsonElement element, string property) => element.GetProperty(property).GetString();

    // The native command as a local user, its stdin a pipe holding input.
    private Task<CommandResult> Enter(string user, string input, params string[] arguments) =>
        Processes.Run("runuser", ["-u", user, "--", RepositoryLayout.Cli, "--endpoint", daemon.Endpoint, "enter", .. arguments], Within, input: input);

    // An admin's unit, started; its pod's id once it runs.
    private async Task<string> RunningUnit(string file)
    {
        var unit = $"en-{Guid.NewGuid():N}"[..12];
        Assert.Equal(200, (await curl.Call(Root, "PUT", $"/v1/units/{unit}", file)).Status);
        Assert.Equal(200, (await curl.Call(Root, "POST", $"/v1/units/{unit}/start")).Status);
        var deadline = DateTime.UtcNow + Within;
        while (true)
        {
            var pod = (await curl.Call(Root, "GET", $"/v1/units/{unit}")).Json.GetProperty("pod");
            if (Text(pod, "phase") == "running")
            {
                return Text(pod, "id")!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"unit {unit} did not run: {pod}");
            await Task.Delay(50);
        }
    }

    // What a refused request must not change: the units with their states, and the pods.
    private async Task<string> State()
    {
        var units = (await curl.Call(Root, "GET", "/v1/units")).Json.EnumerateArray().Select(u => $"{Text(u, "name")}={Text(u, "desiredState")}");
        var pods = (await curl.Call(Root, "GET", "/v1/pods")).Json.EnumerateArray().Select(p => Text(p, "id"));
        var images = (await curl.Call(Root, "GET", "/v1/images")).Json.GetProperty("images").EnumerateArray().Select(i => Text(i, "digest"));
        return string.Join(",", [.. units.Order(), "|", .. pods.Order(), "|", .. images.Order()]);
    }
}
