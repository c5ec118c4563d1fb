using FleetPods.Grains.Tests.Pods;

namespace FleetPods.Grains.Tests.Cluster;

[Collection(SharedCluster.Name)]
public sealed class UnitLifecycleTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    private static string UnitText(string exec = "/bin/sh -c \"echo hi\"", string extra = "") => $"""
        [Unit]
        Description=a test unit

        [Pod]
        Image=example.com/busybox
        Exec={exec}
        {extra}
        """;

    [Fact]
    public async Task A_pod_stopped_before_it_ran_ends_as_never_ran_and_its_unit_does_not_restart_it()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("never-ran.pod");
        var submitted = await unit.Submit("never-ran.pod", UnitText(exec: "/bin/sleep 1000", extra: "Memory=1T\nRestart=always"));
        Assert.True(submitted.Succeeded, string.Join("; ", submitted.Errors));
        var pending = (await unit.Start()).Pod!;
        Assert.Equal((PodPhase.Pending, PodEndCause.None), (pending.Phase, pending.EndCause));

        var stopped = await fixture.Client.GetGrain<IPodGrain>(pending.Id).Stop(Grace);
        await unit.Reconcile();

        Assert.Equal((PodPhase.Failed, PodEndCause.NeverRan, "stopped before it ran"), (stopped.Phase, stopped.EndCause, stopped.Reason));
        var after = (await unit.GetStatus())!;
        Assert.Equal(pending.Id, Assert.Single(after.Pods).Id);
        await unit.Destroy(Grace);
    }

    [Fact]
    public async Task Submit_stores_a_valid_unit_and_lists_it_inactive()
    {
        var result = await fixture.Client.GetGrain<IUnitGrain>("listed.pod").Submit("units/listed.pod", UnitText());

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var status = await fixture.Client.GetGrain<IUnitGrain>("listed.pod").GetStatus();
        Assert.Equal(UnitDesiredState.Inactive, status!.DesiredState);
        Assert.Equal("a test unit", status.Description);
        Assert.Contains("listed.pod", await new KeyRegistry(fixture.Client, RegistryKind.Units).List());
    }

    [Fact]
    public async Task Submit_with_errors_stores_nothing_and_names_file_line_and_key()
    {
        var result = await fixture.Client.GetGrain<IUnitGrain>("broken.pod").Submit("broken.pod", "[Pod]\nImage=x\nExec=/bin/true\nMemory=lots\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal(("broken.pod", 4, "Memory"), (error.File, error.Line, error.Key));
        Assert.Null(await fixture.Client.GetGrain<IUnitGrain>("broken.pod").GetStatus());
        Assert.DoesNotContain("broken.pod", await new KeyRegistry(fixture.Client, RegistryKind.Units).List());
    }

    [Fact]
    public async Task Submit_without_exec_is_refused_when_no_known_image_supplies_one()
    {
        var result = await fixture.Client.GetGrain<IUnitGrain>("noexec.pod").Submit("noexec.pod", "[Pod]\nImage=example.com/unknown\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal(("noexec.pod", 1, "Exec"), (error.File, error.Line, error.Key));
        Assert.Contains("example.com/unknown", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_without_exec_is_accepted_when_the_image_defines_one()
    {
        var node = fixture.NodeNames[0];
        var image = await fixture.Client.GetGrain<IImageStoreGrain>(node).Import(new ImageImportRequest("/images/with-exec.aci"));

        var result = await fixture.Client.GetGrain<IUnitGrain>("imageexec.pod").Submit("imageexec.pod", $"[Pod]\nImage={image.Name}:1.0\n");

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Contains(node, (await fixture.Client.GetGrain<IImageGrain>(image.Digest).GetInfo())!.Nodes);
    }

    [Fact]
    public async Task Start_places_and_runs_the_pod_and_its_exit_code_is_recorded()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("exits.pod");
        await unit.Submit("exits.pod", UnitText());

        var started = await unit.Start();

        Assert.Equal(UnitDesiredState.Launched, started.DesiredState);
        var pod = started.Pod!;
        Assert.Contains(pod.NodeName, fixture.NodeNames);
        await Eventually.Until(() => unit.GetStatus(), s => s!.Pod!.Phase == PodPhase.Running, "the pod to run");
        await fixture.Node(pod.NodeName!).Exit(pod.Id, 3);
        var ended = await Eventually.Until(() => unit.GetStatus(), s => s!.Pod!.HasEnded, "the pod to exit");
        Assert.Equal((PodPhase.Exited, 3), (ended!.Pod!.Phase, ended.Pod.ExitCode));
        Assert.NotNull(ended.Pod.FinishedAt);
    }

    [Fact]
    public async Task A_pod_its_node_killed_for_memory_ends_with_that_cause_whatever_its_reason_says()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("oom.pod");
        await unit.Submit("oom.pod", UnitText());
        var pod = (await unit.Start()).Pod!;
        await Eventually.Until(() => unit.GetStatus(), s => s!.Pod!.Phase == PodPhase.Running, "the pod to run");

        await fixture.Client.GetGrain<IPodGrain>(pod.Id).ReportState(
            new PodStateReport(pod.NodeName!, PodPhase.Failed, null, "killed", DateTimeOffset.UtcNow) { OutOfMemory = true });

        var ended = (await unit.GetStatus())!.Pod!;
        Assert.Equal((PodPhase.Failed, PodEndCause.OutOfMemory), (ended.Phase, ended.EndCause));
    }

    [Fact]
    public async Task A_pods_running_phase_and_its_end_are_stored_as_soon_as_they_are_known()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("stored.pod");
        await unit.Submit("stored.pod", UnitText());
        var pod = (await unit.Start()).Pod!;
        await Eventually.Until(() => unit.GetStatus(), s => s!.Pod!.Phase == PodPhase.Running, "the pod to run");

        // A status answers even during the turn that took the report; a call that is no such answer waits for that turn.
        await fixture.Client.GetGrain<IPodGrain>(pod.Id).RetryPlacement();
        Assert.Equal(PodPhase.Running, (await StoredPod.Read(fixture.Cluster, pod.Id)).Phase);
        await fixture.Node(pod.NodeName!).Exit(pod.Id, 0);
        await Eventually.Until(() => unit.GetStatus(), s => s!.Pod!.HasEnded, "the pod to exit");

        await fixture.Client.GetGrain<IPodGrain>(pod.Id).RetryPlacement();
        Assert.Equal(PodPhase.Exited, (await StoredPod.Read(fixture.Cluster, pod.Id)).Phase);
    }

    [Fact]
    public async Task A_report_after_the_end_does_not_revive_the_pod()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("final.pod");
        await unit.Submit("final.pod", UnitText());
        var pod = (await unit.Start()).Pod!;
        await fixture.Node(pod.NodeName!).Exit(pod.Id, 0);
        await Eventually.Until(() => unit.GetStatus(), s => s!.Pod!.HasEnded, "the pod to exit");

        await fixture.Client.GetGrain<IPodGrain>(pod.Id).ReportState(new PodStateReport(pod.NodeName!, PodPhase.Running, null, null, DateTimeOffset.UtcNow));

        Assert.Equal(PodPhase.Exited, (await fixture.Client.GetGrain<IPodGrain>(pod.Id).GetStatus())!.Phase);
    }

    [Fact]
    public async Task Stop_ends_the_pod_and_leaves_the_unit_loaded()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("stopped.pod");
        await unit.Submit("stopped.pod", UnitText());
        await unit.Start();

        var stopped = await unit.Stop(Grace);

        Assert.Equal(UnitDesiredState.Loaded, stopped.DesiredState);
        Assert.Equal((PodPhase.Exited, 143), (stopped.Pod!.Phase, stopped.Pod.ExitCode));
    }

    [Fact]
    public async Task Load_reserves_a_node_without_running_and_start_then_runs_the_same_pod()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("loaded.pod");
        await unit.Submit("loaded.pod", UnitText());

        var loaded = await unit.Load();

        Assert.Equal(UnitDesiredState.Loaded, loaded.DesiredState);
        Assert.Equal(PodPhase.Pending, loaded.Pod!.Phase);
        Assert.False(fixture.Node(loaded.Pod.NodeName!).Launched.ContainsKey(loaded.Pod.Id));
        var started = await unit.Start();
        Assert.Equal(loaded.Pod.Id, started.Pod!.Id);
        Assert.True(fixture.Node(loaded.Pod.NodeName!).Launched.ContainsKey(loaded.Pod.Id));
    }

    [Fact]
    public async Task Destroy_removes_the_pod_from_its_node_and_forgets_unit_and_pod()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("destroyed.pod");
        await unit.Submit("destroyed.pod", UnitText(extra: "Memory=1G"));
        var pod = (await unit.Start()).Pod!;
        var node = fixture.Client.GetGrain<INodeGrain>(pod.NodeName!);
        Assert.Contains(pod.Id, await node.ListPods());

        await unit.Destroy(Grace);

        Assert.Null(await unit.GetStatus());
        Assert.Null(await fixture.Client.GetGrain<IPodGrain>(pod.Id).GetStatus());
        Assert.DoesNotContain(pod.Id, await node.ListPods());
        Assert.False(fixture.Node(pod.NodeName!).Launched.ContainsKey(pod.Id));
        Assert.DoesNotContain("destroyed.pod", await new KeyRegistry(fixture.Client, RegistryKind.Units).List());
    }

    [Fact]
    public async Task An_instance_starts_from_its_template_with_specifiers_expanded_for_its_node()
    {
        var template = fixture.Client.GetGrain<IUnitGrain>("web@.pod");
        var submitted = await template.Submit("web@.pod", UnitText(exec: "/bin/echo %n %i %m").Replace("a test unit", "instance %i on %m", StringComparison.Ordinal));
        Assert.True(submitted.Succeeded, string.Join("; ", submitted.Errors));

        var started = await fixture.Client.GetGrain<IUnitGrain>("web@7.pod").Start();

        var node = started.Pod!.NodeName!;
        var spec = fixture.Node(node).Launched[started.Pod.Id];
        Assert.Equal(["/bin/echo", "web@7.pod", "7", node], spec.Pod.Exec);
        Assert.Equal("web@7.pod", spec.UnitName);
        Assert.Equal("instance 7 on " + node, started.Description);
        Assert.Equal("instance %i on %m", (await template.GetStatus())!.Description);
    }

    [Fact]
    public async Task A_template_itself_cannot_start()
    {
        await fixture.Client.GetGrain<IUnitGrain>("tmpl@.pod").Submit("tmpl@.pod", UnitText());

        var error = await Assert.ThrowsAsync<FleetPodsException>(() => fixture.Client.GetGrain<IUnitGrain>("tmpl@.pod").Start());

        Assert.Contains("template", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starting_an_unknown_unit_says_it_is_not_found()
    {
        var error = await Assert.ThrowsAsync<FleetPodsException>(() => fixture.Client.GetGrain<IUnitGrain>("ghost.pod").Start());

        Assert.Equal("unit ghost.pod not found", error.Message);
    }

    [Fact]
    public async Task A_units_ended_pod_removed_by_hand_is_replaced_without_another_command()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("removed-by-hand.pod");
        await unit.Submit("removed-by-hand.pod", UnitText(extra: "Restart=no"));
        var first = (await unit.Start()).Pod!;
        await Eventually.Until(unit.GetStatus, s => s!.Pod!.Phase == PodPhase.Running, "the first pod running");
        await fixture.Node(first.NodeName!).Exit(first.Id, 0);
        await Eventually.Until(unit.GetStatus, s => s!.Pod!.HasEnded, "the first pod to exit");

        await fixture.Client.GetGrain<IPodGrain>(first.Id).Destroy(TimeSpan.Zero);

        await Eventually.Until(unit.GetStatus, s => s!.Pods is [{ Phase: PodPhase.Running } pod] && pod.Id != first.Id, "a new pod running in its place");
        await unit.Destroy(Grace);
    }

    [Fact]
    public async Task Resubmitting_different_contents_of_a_launched_unit_replaces_its_pod()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("changed.pod");
        await unit.Submit("changed.pod", UnitText());
        var before = (await unit.Start()).Pod!;
        await Eventually.Until(unit.GetStatus, s => s!.Pod!.Phase == PodPhase.Running, "the first pod running");

        var result = await unit.Submit("changed.pod", UnitText(exec: "/bin/false"));

        Assert.Empty(result.Errors);
        await Eventually.Until(unit.GetStatus, s => s!.Pods is [{ Phase: PodPhase.Running } pod] && pod.Id != before.Id, "the new pod running alone");
        Assert.Contains("/bin/false", await unit.GetText(), StringComparison.Ordinal);
        Assert.Single((await unit.GetStatus())!.Pods);
        await unit.Destroy(TimeSpan.FromSeconds(1));
    }
}
