using FleetPods.Grains.Security;
using FleetPods.Grains.Tests.Cluster;
using FleetPods.Security;

namespace FleetPods.Grains.Tests.Trust;

/// <summary>
/// Registry pull secrets: an admin's, never shown back; a unit's docker:// tag is pinned to a digest at submit with
/// the secret of its registry, and its pods run the pinned image, which their node pulls with that secret.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class PullSecretTests(ClusterFixture fixture)
{
    private IPullSecretGrain Secrets => fixture.Client.GetGrain<IPullSecretGrain>(IPullSecretGrain.Cluster);

    [Fact]
    public async Task Only_an_admin_sets_lists_and_removes_secrets_and_no_answer_holds_the_password()
    {
        AccessDeniedException denied;
        using (CallerContext.Enter(new Caller("olga", Role.Operator)))
        {
            denied = await Assert.ThrowsAsync<AccessDeniedException>(() => Secrets.List());
        }

        var set = await Secrets.Set("secrets.example.com", "robot", "hunter2", null, insecure: false);
        var listed = await Secrets.List();
        var badHost = await Assert.ThrowsAsync<FleetPodsException>(() => Secrets.Set("https://secrets.example.com", "robot", "x", null, false));
        var removed = await Secrets.Remove("secrets.example.com");

        Assert.Equal("listing registry pull secrets needs the admin role; you are olga (operator)", denied.Message);
        Assert.Equal(("secrets.example.com", "robot"), (set.Host, set.Username));
        Assert.DoesNotContain("hunter2", string.Join("\n", listed), StringComparison.Ordinal);
        Assert.StartsWith("'https://secrets.example.com' is not a registry host", badHost.Message, StringComparison.Ordinal);
        Assert.Equal("secrets.example.com", removed.Host);
        Assert.DoesNotContain(await Secrets.List(), s => s.Host == "secrets.example.com");
    }

    [Fact]
    public async Task A_units_registry_tag_is_pinned_at_submit_and_its_node_pulls_the_pinned_image_with_the_secret()
    {
        var node = fixture.NodeNames[1];
        const string Tag = "docker://pins.example.com:5000/team/app:1.0";
        var digest = "sha256:" + new string('b', 64);
        var pinned = $"{Tag}@{digest}";
        foreach (var name in fixture.NodeNames)
        {
            fixture.Images(name).RegistryTags[Tag] = digest;
        }

        fixture.Images(node).Missing[pinned] = true;
        await Secrets.Set("pins.example.com:5000", "robot", "pa55", null, insecure: true);
        var unit = fixture.Client.GetGrain<IUnitGrain>("pinned.pod");

        var submitted = await unit.Submit("pinned.pod", $"[Pod]\nImage={Tag}\nExec=/bin/true\n[X-Fleet]\nMachineID={node}\n");
        Assert.True(submitted.Succeeded, string.Join("; ", submitted.Errors));
        foreach (var name in fixture.NodeNames)
        {
            fixture.Images(name).RegistryTags[Tag] = "sha256:" + new string('c', 64);
        }

        await unit.Start();
        var running = await Eventually.Until(unit.GetStatus, s => s!.Pod!.Phase == PodPhase.Running, "the pod to run");

        Assert.Equal(pinned, running!.Pod!.Image);
        var pull = Assert.Single(fixture.Images(node).FetchRequests, r => r.Url == pinned);
        Assert.Equal((new RegistryAuth("robot", "pa55"), true), (pull.Auth, pull.Insecure));
        Assert.Contains(fixture.NodeNames.SelectMany(n => fixture.Images(n).Pins), p => p.Reference == Tag && p.Secret?.Username == "robot");
        await unit.Destroy(TimeSpan.Zero);
        await Secrets.Remove("pins.example.com:5000");
    }

    [Fact]
    public async Task A_tag_that_cannot_be_pinned_refuses_the_file_on_its_image_line()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("unpinnable.pod");

        var submitted = await unit.Submit("unpinnable.pod", "[Pod]\nImage=docker://pins.example.com/missing:1.0\nExec=/bin/true\n");

        var error = Assert.Single(submitted.Errors);
        Assert.Equal(("Image", 1), (error.Key, error.Line));
        Assert.StartsWith("cannot pin docker://pins.example.com/missing:1.0 to a digest: registry: docker://pins.example.com/missing:1.0: manifest unknown", error.Message, StringComparison.Ordinal);
        Assert.Null(await unit.GetStatus());
    }
}
