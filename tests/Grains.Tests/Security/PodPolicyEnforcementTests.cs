using FleetPods.Grains.Security;
using FleetPods.Grains.Tests.Cluster;
using FleetPods.Grains.UnitFiles;
using FleetPods.Security;

namespace FleetPods.Grains.Tests.Security;

/// <summary>
/// Roles and the pod security policy as the grains enforce them for the caller the front door sets
/// (<see cref="CallerContext.Enter"/>): at submit, at run, and on the node before launch; a refusal stores nothing.
/// </summary>
[Collection(PolicyCluster.Name)]
public sealed class PodPolicyEnforcementTests(PolicyClusterFixture fixture)
{
    private static readonly Caller Eve = new("eve", Role.Operator);
    private static readonly Caller Root = new("root", Role.Admin);
    private static readonly Caller Rita = new("rita", Role.Reader);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    private static string Unit(params string[] podLines) =>
        "[Unit]\nDescription=policy test\n\n[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 60\n" + string.Concat(podLines.Select(l => l + "\n"));

    public static TheoryData<string, string, string> PrivilegedSettings => new()
    {
        { "Volume=data,kind=host,source=/srv/data", "Volume", "Volume=data kind=host needs the admin role (privileged pod); you are eve (operator)" },
        { "Stage1=fly", "Stage1", "Stage1=fly needs the admin role (privileged pod); you are eve (operator)" },
        { "Network=host", "Network", "Network=host needs the admin role (privileged pod); you are eve (operator)" },
        { "Port=http:80:8080/tcp", "Port", "Port=http:80 (host port below 1024) needs the admin role (privileged pod); you are eve (operator)" },
        { "PrivateUsers=no", "PrivateUsers", "PrivateUsers=no needs the admin role (privileged pod); you are eve (operator)" },
    };

    [Theory]
    [MemberData(nameof(PrivilegedSettings))]
    public async Task An_operator_is_refused_a_privileged_unit_at_submit_with_its_line_and_nothing_is_stored(string line, string key, string message)
    {
        var name = $"op-{key.ToLowerInvariant()}.pod";
        var unit = fixture.Client.GetGrain<IUnitGrain>(name);

        var refused = await Assert.ThrowsAsync<AccessDeniedException>(async () =>
        {
            using (CallerContext.Enter(Eve))
            {
                await unit.Submit(name, Unit(line));
            }
        });

        Assert.Equal(Role.Admin, refused.Needed);
        var error = Assert.Single(refused.Errors);
        Assert.Equal((name, 7, key, message), (error.File, error.Line, error.Key, error.Message));
        Assert.Equal($"{name}:7: {key}=: {message}", refused.Message);
        Assert.Null(await unit.GetStatus());
        Assert.DoesNotContain(name, await new KeyRegistry(fixture.Client, RegistryKind.Units).List());
    }

    [Theory]
    [MemberData(nameof(PrivilegedSettings))]
    public async Task An_operator_is_refused_a_privileged_run_and_nothing_is_stored(string line, string key, string message)
    {
        var pod = UnitText(line);
        var id = Guid.NewGuid().ToString();

        var refused = await Assert.ThrowsAsync<AccessDeniedException>(async () =>
        {
            using (CallerContext.Enter(Eve))
            {
                await fixture.Client.GetGrain<IPodGrain>(id).Create(new PodSpec(null, pod) { Admission = new PodAdmission("forged", Role.Admin) }, null, start: true, requiredNode: null);
            }
        });

        Assert.Equal((Role.Admin, message), (refused.Needed, refused.Message));
        Assert.Empty(refused.Errors);
        Assert.NotEmpty(key);
        Assert.Null(await fixture.Client.GetGrain<IPodGrain>(id).GetStatus());
        Assert.DoesNotContain(id, await new KeyRegistry(fixture.Client, RegistryKind.Pods).List());
        Assert.False(fixture.Node.Launched.ContainsKey(id));
    }

    [Fact]
    public async Task An_admin_may_run_a_privileged_pod_and_the_node_gets_the_admission()
    {
        var id = Guid.NewGuid().ToString();
        using (CallerContext.Enter(Root))
        {
            await fixture.Client.GetGrain<IPodGrain>(id).Create(new PodSpec(null, UnitText("Volume=h,kind=host,source=/", "Network=host")), null, start: true, requiredNode: null);
        }

        await Eventually.Until(() => fixture.Client.GetGrain<IPodGrain>(id).GetStatus(), s => s!.Phase == PodPhase.Running, "the pod to run");
        Assert.Equal(new PodAdmission("root", Role.Admin), fixture.Node.Launched[id].Admission);
    }

    [Fact]
    public async Task An_operator_may_mount_a_directory_the_policy_names_but_not_a_dot_dot_escape_from_it()
    {
        var allowed = fixture.Client.GetGrain<IUnitGrain>("named.pod");
        var escape = fixture.Client.GetGrain<IUnitGrain>("escape.pod");
        using (CallerContext.Enter(Eve))
        {
            var result = await allowed.Submit("named.pod", Unit($"Volume=data,kind=host,source={fixture.DataDirectory}", "Mount=volume=data,target=/data"));
            Assert.True(result.Succeeded, string.Join("; ", result.Errors));
            await allowed.Start();

            // No pod may name a '..' part, whoever submits it: the escape is refused before any policy is asked.
            var refused = await escape.Submit("escape.pod", Unit($"Volume=data,kind=host,source={fixture.DataDirectory}/../../../../etc"));
            Assert.False(refused.Succeeded);
            var error = Assert.Single(refused.Errors);
            Assert.Equal(7, error.Line);
            Assert.Contains("must not hold '.' or '..' parts", error.Message, StringComparison.Ordinal);
        }

        var status = await Eventually.Until(() => allowed.GetStatus(), s => s!.Pod?.Phase == PodPhase.Running, "the operator's pod to run");
        var launched = fixture.Node.Launched[status!.Pod!.Id];
        Assert.Equal(new PodAdmission("eve", Role.Operator), launched.Admission);
        Assert.Equal(fixture.DataDirectory, Assert.Single(launched.Pod.Volumes).Source);
        Assert.Null(await escape.GetStatus());
    }

    [Fact]
    public async Task A_read_only_policy_directory_needs_readOnly_from_an_operator()
    {
        using (CallerContext.Enter(Eve))
        {
            var readOnly = await fixture.Client.GetGrain<IUnitGrain>("config-ro.pod").Submit("config-ro.pod", Unit($"Volume=config,kind=host,source={fixture.ConfigDirectory},readOnly=true"));
            Assert.True(readOnly.Succeeded);
            await Assert.ThrowsAsync<AccessDeniedException>(() =>
                fixture.Client.GetGrain<IUnitGrain>("config-rw.pod").Submit("config-rw.pod", Unit($"Volume=config,kind=host,source={fixture.ConfigDirectory}")));
        }

        Assert.Null(await fixture.Client.GetGrain<IUnitGrain>("config-rw.pod").GetStatus());
    }

    [Fact]
    public async Task A_reader_is_refused_every_change_and_nothing_changes()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("reader-target.pod");
        await unit.Submit("reader-target.pod", Unit());
        var podId = Guid.NewGuid().ToString();

        using (CallerContext.Enter(Rita))
        {
            var calls = new Func<Task>[]
            {
                () => fixture.Client.GetGrain<IUnitGrain>("reader-new.pod").Submit("reader-new.pod", Unit()),
                () => unit.Load(),
                () => unit.Start(),
                () => unit.Stop(Grace),
                () => unit.Unload(Grace),
                () => unit.Destroy(Grace),
                () => fixture.Client.GetGrain<IPodGrain>(podId).Create(new PodSpec(null, UnitText()), null, start: true, requiredNode: null),
            };
            foreach (var call in calls)
            {
                var refused = await Assert.ThrowsAsync<AccessDeniedException>(call);
                Assert.Equal(Role.Operator, refused.Needed);
                Assert.EndsWith("needs the operator role; you are rita (reader)", refused.Message, StringComparison.Ordinal);
            }

            // Reading is a reader's right.
            Assert.NotNull(await unit.GetStatus());
        }

        Assert.Equal(UnitDesiredState.Inactive, (await unit.GetStatus())!.DesiredState);
        Assert.Null(await fixture.Client.GetGrain<IUnitGrain>("reader-new.pod").GetStatus());
        Assert.Null(await fixture.Client.GetGrain<IPodGrain>(podId).GetStatus());
    }

    [Fact]
    public async Task An_operator_may_start_stop_and_destroy_an_admins_privileged_unit_but_not_change_it()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("admins.pod");
        var text = Unit("Network=host");
        using (CallerContext.Enter(Root))
        {
            Assert.True((await unit.Submit("admins.pod", text)).Succeeded);
        }

        using (CallerContext.Enter(Eve))
        {
            // The same file again changes nothing; a change of content needs an admin.
            Assert.True((await unit.Submit("admins.pod", text)).Succeeded);
            await Assert.ThrowsAsync<AccessDeniedException>(() => unit.Submit("admins.pod", Unit("Network=host", "Memory=64M")));

            await unit.Start();
        }

        var running = await Eventually.Until(() => unit.GetStatus(), s => s!.Pod?.Phase == PodPhase.Running, "the admin's pod to run");
        Assert.Equal(new PodAdmission("root", Role.Admin), fixture.Node.Launched[running!.Pod!.Id].Admission);
        Assert.Equal(text, await unit.GetText());

        using (CallerContext.Enter(Eve))
        {
            var stopped = await unit.Stop(Grace);
            Assert.Equal(UnitDesiredState.Loaded, stopped.DesiredState);
            await unit.Unload(Grace);
            await unit.Destroy(Grace);
        }

        Assert.Null(await unit.GetStatus());
    }

    [Fact]
    public async Task An_operator_may_start_an_instance_of_an_admins_privileged_template_which_runs_with_the_admins_admission()
    {
        using (CallerContext.Enter(Root))
        {
            Assert.True((await fixture.Client.GetGrain<IUnitGrain>("hosted@.pod").Submit("hosted@.pod", Unit("Network=host"))).Succeeded);
        }

        var instance = fixture.Client.GetGrain<IUnitGrain>("hosted@1.pod");
        using (CallerContext.Enter(Eve))
        {
            await instance.Start();
        }

        var running = await Eventually.Until(() => instance.GetStatus(), s => s!.Pod?.Phase == PodPhase.Running, "the instance's pod to run");
        Assert.Equal(new PodAdmission("root", Role.Admin), fixture.Node.Launched[running!.Pod!.Id].Admission);
        Assert.Equal(new PodAdmission("root", Role.Admin), await instance.GetAdmission());
    }

    [Fact]
    public async Task An_operator_may_not_enter_a_privileged_pod_but_may_enter_a_baseline_one()
    {
        var privileged = Guid.NewGuid().ToString();
        var baseline = Guid.NewGuid().ToString();
        using (CallerContext.Enter(Root))
        {
            await fixture.Client.GetGrain<IPodGrain>(privileged).Create(new PodSpec(null, UnitText("Network=host")), null, start: true, requiredNode: null);
        }

        using (CallerContext.Enter(Eve))
        {
            await fixture.Client.GetGrain<IPodGrain>(baseline).Create(new PodSpec(null, UnitText()), null, start: true, requiredNode: null);
        }

        foreach (var id in new[] { privileged, baseline })
        {
            await Eventually.Until(() => fixture.Client.GetGrain<IPodGrain>(id).GetStatus(), s => s!.Phase == PodPhase.Running, "the pod to run");
        }

        using (CallerContext.Enter(Eve))
        {
            var shell = new PodEnterRequest(null, ["/bin/sh"], new PodConsole(Input: true, Terminal: null), null);
            var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => fixture.Client.GetGrain<IPodGrain>(privileged).Enter(shell));
            Assert.Equal($"enter privileged pod {privileged} needs the admin role; you are eve (operator)", refused.Message);
            var session = await fixture.Client.GetGrain<IPodGrain>(baseline).Enter(shell);
            Assert.Equal(baseline, fixture.Node.Sessions[session].PodId);
            Assert.DoesNotContain(fixture.Node.Sessions.Values, s => s.PodId == privileged);
        }
    }

    [Fact]
    public async Task The_node_refuses_a_privileged_pod_whose_admission_is_not_an_admins()
    {
        var node = fixture.Client.GetGrain<INodeGrain>(fixture.NodeName);
        var spec = new PodSpec(null, UnitText("Volume=h,kind=host,source=/etc")) { Admission = new PodAdmission("eve", Role.Operator) };
        var id = Guid.NewGuid().ToString();
        var reserved = await node.Reserve(new PlacementRequest(id, null, spec.Resources, PlacementRequest.NoRules, null), spec);

        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => node.RunPod(id, spec));
        var unadmitted = await Assert.ThrowsAsync<AccessDeniedException>(() => node.RunPod(id, spec with { Admission = null }));

        Assert.Equal($"node {fixture.NodeName} refuses the pod: Volume=h kind=host needs an admin's admission (privileged pod); it was admitted by eve (operator)", refused.Message);
        Assert.EndsWith("it was admitted by nobody", unadmitted.Message, StringComparison.Ordinal);
        Assert.Equal(ReservationAnswer.NotLaunched(refused.Message), reserved);
        Assert.Equal([id], (await node.ListPods()).Where(p => p == id));
        Assert.False(fixture.Node.Launched.ContainsKey(id));
        await node.Release(id);
    }

    [Fact]
    public async Task The_node_resolves_a_link_to_a_named_directory_and_mounts_the_directory_itself()
    {
        var node = fixture.Client.GetGrain<INodeGrain>(fixture.NodeName);
        var spec = new PodSpec(null, UnitText($"Volume=data,kind=host,source={fixture.DataLink}")) { Admission = new PodAdmission("eve", Role.Operator) };
        var id = Guid.NewGuid().ToString();
        Assert.Equal(ReservationAnswer.Running, await node.Reserve(new PlacementRequest(id, null, spec.Resources, PlacementRequest.NoRules, null), spec));

        Assert.Equal(fixture.DataDirectory, Assert.Single(fixture.Node.Launched[id].Pod.Volumes).Source);
        await node.RemovePod(id, TimeSpan.Zero);
    }

    private static PodSection UnitText(params string[] podLines)
    {
        var parsed = UnitFileParser.Parse("run.pod", Unit(podLines));
        Assert.True(parsed.Succeeded, string.Join("; ", parsed.Errors));
        return parsed.Unit!.Pod;
    }
}
