using FleetPods.Grains.Security;
using FleetPods.Grains.Tests.Cluster;
using FleetPods.Security;

namespace FleetPods.Grains.Tests.Trust;

/// <summary>
/// The cluster's trusted keys: only an admin changes them, prefixes are AppC names, keys are kept per prefix and
/// handed to the node at every fetch that checks signatures (and not when the caller skipped the check).
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class TrustGrainTests(ClusterFixture fixture)
{
    private static readonly Caller Olga = new("olga", Role.Operator);
    private static readonly Caller Root = new("root", Role.Admin);

    private ITrustGrain Trust => fixture.Client.GetGrain<ITrustGrain>(ITrustGrain.Cluster);

    [Fact]
    public async Task An_admin_trusts_a_key_per_prefix_and_an_operator_may_not()
    {
        var fingerprint = Fingerprint('A');
        TrustedKey added;
        using (CallerContext.Enter(Root))
        {
            added = await Trust.Add("example.com/alpha", fingerprint.ToLowerInvariant(), "KEY", ["Alice <alice@example.com>"]);
        }

        AccessDeniedException denied;
        using (CallerContext.Enter(Olga))
        {
            denied = await Assert.ThrowsAsync<AccessDeniedException>(() => Trust.Add("example.com/beta", fingerprint, "KEY", []));
        }

        Assert.Equal(("example.com/alpha", fingerprint, "root"), (added.Prefix, added.Fingerprint, added.AddedBy));
        Assert.Equal("trusting a signing key needs the admin role; you are olga (operator)", denied.Message);
        Assert.DoesNotContain(await Trust.List(), k => k.Prefix == "example.com/beta");
        await Trust.RemoveKey(fingerprint);
    }

    [Theory]
    [InlineData("Example.com/app")]
    [InlineData("example.com//app")]
    [InlineData("example.com/app/")]
    [InlineData("../etc")]
    [InlineData("example.com/app*")]
    [InlineData("localhost:0/app")]
    [InlineData("localhost:x/app")]
    public async Task A_prefix_that_is_not_an_appc_name_is_refused(string prefix)
    {
        var error = await Assert.ThrowsAsync<FleetPodsException>(() => Trust.Add(prefix, Fingerprint('B'), "KEY", []));

        Assert.StartsWith($"prefix '{prefix}' is not an AppC name", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("example.com")]
    [InlineData("example.com/app_x/web-1.2~rc")]
    [InlineData("localhost:8443/app")]
    public async Task An_appc_name_with_or_without_a_port_or_the_root_is_a_prefix(string prefix)
    {
        var fingerprint = Fingerprint('F');

        var added = await Trust.Add(prefix, fingerprint, "KEY", []);
        var removed = await Trust.RemovePrefix(prefix);

        Assert.Equal(prefix, added.Prefix);
        Assert.Equal([fingerprint], removed.Select(k => k.Fingerprint));
    }

    [Fact]
    public async Task Removing_by_fingerprint_drops_the_key_for_every_prefix_and_by_prefix_only_that_prefix()
    {
        var (one, two) = (Fingerprint('C'), Fingerprint('D'));
        await Trust.Add("example.com/gamma", one, "KEY", []);
        await Trust.Add("example.com/delta", one, "KEY", []);
        await Trust.Add("example.com/delta", two, "KEY", []);

        var byKey = await Trust.RemoveKey(one);
        var byPrefix = await Trust.RemovePrefix("example.com/delta");
        var nothing = await Assert.ThrowsAsync<FleetPodsException>(() => Trust.RemovePrefix("example.com/delta"));

        Assert.Equal(["example.com/delta", "example.com/gamma"], byKey.Select(k => k.Prefix));
        Assert.Equal([two], byPrefix.Select(k => k.Fingerprint));
        Assert.Equal("no key is trusted for the prefix 'example.com/delta'", nothing.Message);
    }

    [Fact]
    public async Task A_fetch_hands_the_node_the_trusted_keys_unless_the_caller_skipped_the_check()
    {
        var node = fixture.NodeNames[0];
        await Trust.Add("example.com/epsilon", Fingerprint('E'), "KEY-E", []);
        var store = fixture.Client.GetGrain<IImageStoreGrain>(node);

        await store.Fetch(new ImageFetchRequest("https://example.com/epsilon.aci", "f1"));
        await store.Fetch(new ImageFetchRequest("https://example.com/epsilon-insecure.aci", "f2", InsecureImage: true));

        Assert.Contains(fixture.Images(node).FetchedWithKeys["https://example.com/epsilon.aci"], k => k.Prefix == "example.com/epsilon" && k.ArmoredKey == "KEY-E");
        Assert.Empty(fixture.Images(node).FetchedWithKeys["https://example.com/epsilon-insecure.aci"]);
        await Trust.RemovePrefix("example.com/epsilon");
    }

    private static string Fingerprint(char digit) => new(digit, 40);
}
