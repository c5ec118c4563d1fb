namespace FleetPods.EndToEnd.Tests;

/// <summary>Unit files through the real CLI and daemon: submit, start, list, status, errors.</summary>
public sealed class UnitTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();
    private readonly string units = Directory.CreateTempSubdirectory("fleetpods-units-").FullName;

    public UnitTests(BusyboxImage image) => this.image = image;

    public async Task InitializeAsync()
    {
        await daemon.StartWith(image);
    }

    public async Task DisposeAsync()
    {
        await daemon.DisposeAsync();
        Directory.Delete(units, recursive: true);
    }

    private string WriteUnit(string name, string text)
    {
        var path = Path.Combine(units, name);
        File.WriteAllText(path, text);
        return path;
    }

    [RequiresFact(Requires.Root)]
    public async Task A_started_unit_shows_running_then_exited_with_its_code_in_list_pods()
    {
        using var control = new ControlDirectory();
        var file = WriteUnit("sleeper.pod", $"""
            [Unit]
            Description=waits for /ctl/stop, then exits 4

            [Pod]
            Image=example.com/busybox
            Exec=/bin/sh -c "while [ ! -e /ctl/stop ]; do sleep 0.05; done; exit 4"
            Memory=64M
            Volume=ctl,kind=host,source={control.Path}
            Mount=volume=ctl,target=/ctl
            """);

        var started = await daemon.Cli("start", file);

        Assert.True(started.ExitCode == 0, started.ToString());
        var running = await daemon.WaitForPhase("sleeper.pod", "running", Within);
        Assert.Equal(daemon.NodeName, running.GetProperty("nodeName").GetString());
        control.TellPodsToStop();
        var exited = await daemon.WaitForPhase("sleeper.pod", "exited", Within);
        Assert.Equal(4, exited.GetProperty("exitCode").GetInt32());
        var table = await daemon.Cli("list-units");
        Assert.Contains("sleeper.pod", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("exited", table.Stdout, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task An_invalid_unit_file_is_refused_with_file_line_and_key_and_nothing_is_stored()
    {
        var file = WriteUnit("bad.pod", "[Pod]\nImage=example.com/busybox\nExec=/bin/true\nRestart=sometimes\n");

        var result = await daemon.Cli("submit", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("bad.pod:4", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Restart", result.Stderr, StringComparison.Ordinal);
        var files = await daemon.CliJson("list-unit-files");
        Assert.DoesNotContain(files.EnumerateArray(), u => u.GetProperty("name").GetString() == "bad.pod");
    }

    [RequiresFact(Requires.Root)]
    public async Task Cat_prints_the_unit_as_submitted_and_status_shows_it()
    {
        const string Text = "[Unit]\nDescription=shown back\n\n[Pod]\nImage=example.com/busybox\nExec=/bin/true\n";
        Assert.Equal(0, (await daemon.Cli("submit", WriteUnit("shown.pod", Text))).ExitCode);

        var cat = await daemon.Cli("cat", "shown");
        var status = await daemon.Cli("status", "shown.pod");

        Assert.Equal(Text.TrimEnd('\n') + "\n", cat.Stdout);
        Assert.Contains("Description: shown back", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("Desired: inactive", status.Stdout, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_template_instance_runs_with_its_instance_name()
    {
        Assert.Equal(0, (await daemon.Cli("submit", WriteUnit("greet@.pod", "[Pod]\nImage=example.com/busybox\nExec=/bin/sh -c \"exit %i\"\n"))).ExitCode);

        var started = await daemon.Cli("start", "greet@5");

        Assert.True(started.ExitCode == 0, started.ToString());
        var exited = await daemon.WaitForPhase("greet@5.pod", "exited", Within);
        Assert.Equal(5, exited.GetProperty("exitCode").GetInt32());
    }

    [RequiresFact(Requires.Root)]
    public async Task List_units_shows_a_units_running_pods_over_its_desired_count_and_their_node()
    {
        var file = WriteUnit("trio.pod", "[Unit]\nDescription=three sleepers\n\n[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 600\nCount=3\n");

        var started = await daemon.Cli("start", file);

        Assert.True(started.ExitCode == 0, started.ToString());
        var deadline = DateTime.UtcNow + Within;
        string[] row;
        while ((row = Row(await daemon.Cli("list-units"), "trio.pod"))[2] != "3/3")
        {
            Assert.True(DateTime.UtcNow < deadline, $"trio.pod never showed 3/3 running: {string.Join(" ", row)}");
            await Task.Delay(200);
        }

        Assert.Equal(["trio.pod", "launched", "3/3", "running", daemon.NodeName, "three", "sleepers"], row);
        var json = (await daemon.CliJson("list-units")).EnumerateArray().Single(u => u.GetProperty("name").GetString() == "trio.pod");
        Assert.Equal(3, json.GetProperty("desiredPods").GetInt32());
        Assert.Equal(3, json.GetProperty("pods").GetArrayLength());
    }

    [RequiresFact(Requires.Root)]
    public async Task Start_of_several_files_and_names_is_one_call_and_each_unit_starts_or_says_why_not()
    {
        const string Sleeper = "[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 600\n";
        var first = WriteUnit("batch-a.pod", Sleeper);
        var second = WriteUnit("batch-b.pod", Sleeper);
        var bad = WriteUnit("batch-bad.pod", "[Pod]\nImage=example.com/busybox\nExec=/bin/true\nRestart=sometimes\n");

        var result = await daemon.Cli("start", first, second, bad, "batch-missing");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Unit batch-a.pod submitted", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{bad}:4: Restart=: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("fleetpods: unit batch-missing.pod not found", result.Stderr, StringComparison.Ordinal);
        await daemon.WaitForPhase("batch-a.pod", "running", Within);
        await daemon.WaitForPhase("batch-b.pod", "running", Within);
        Assert.Single(daemon.Log.Split('\n'), l => l.Contains("Audit: ", StringComparison.Ordinal) && l.Contains(" POST /v1/units/start ", StringComparison.Ordinal));
        Assert.DoesNotContain(" PUT /v1/units/", daemon.Log, StringComparison.Ordinal);
        Assert.Contains("batch-a.pod started, batch-b.pod started, batch-bad.pod refused: ", daemon.Log, StringComparison.Ordinal);
    }

    private static string[] Row(CommandResult table, string unit)
    {
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.StartsWith("UNIT ", table.Stdout, StringComparison.Ordinal);
        return table.Stdout.Split('\n').Single(l => l.StartsWith(unit + " ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    [RequiresFact(Requires.Root)]
    public async Task List_machines_shows_this_node_with_its_metadata_and_capacity()
    {
        var machines = await daemon.CliJson("list-machines");

        var node = Assert.Single(machines.EnumerateArray());
        Assert.Equal(daemon.NodeName, node.GetProperty("name").GetString());
        Assert.Equal("e2e", node.GetProperty("metadata").GetProperty("role").GetString());
        Assert.Equal(Environment.ProcessorCount * 1000, node.GetProperty("capacity").GetProperty("cpuMillis").GetInt32());
        Assert.True(node.GetProperty("capacity").GetProperty("memoryBytes").GetInt64() > 0);
    }
}
