using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FleetPods.Grains.Tests.Cluster;
using FleetPods.Security;
using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// An agent attaches only as the node its certificate names, with a certificate of the cluster's CA that is neither
/// expired nor revoked, signing a fresh challenge of that node's grain with its key; only the session of the last
/// attach keeps the node up. Each refusal leaves the node as it was (down, or held by the agent that proved itself).
/// </summary>
public sealed class AttachProofTests(AgentServerFixture server) : IClassFixture<AgentServerFixture>
{
    private static TestClusterPki Pki => TestClusterPki.Shared;

    private IClusterClient Client => server.Fleet.Client;

    [Fact]
    public async Task An_agent_holding_another_nodes_certificate_is_refused_and_gets_neither_the_node_nor_its_pods()
    {
        await using var b = await FakeNodeAgent.Attach(Client, "holder-b", "role=holder");
        var unit = await server.Fleet.Start("held.pod", pod: "Count=2", fleet: "MachineMetadata=role=holder");
        await Until(unit, pods => Running(pods).Count == 2, "two pods running on holder-b");

        // Holding holder-b's certificate (and key), it tries to be holder-a, then holder-b itself.
        var asA = await Assert.ThrowsAsync<AttachRefusedException>(() => FakeNodeAgent.Attach(Client, "holder-a", "role=holder", Pki.Node("holder-b")));
        Assert.Equal("attach as node holder-a refused: it presented node holder-b's certificate", asA.Message);
        Assert.Equal(NodeLiveness.Down, (await Client.GetGrain<INodeGrain>("holder-a").GetStatus()).Liveness);

        await using var impostor = FakeNodeAgent.Unattached(Client, "holder-b", "role=holder", Pki.Node("holder-a"));
        var proof = SignedProof(await Challenge("holder-b"), "holder-b", Pki.Node("holder-a"));
        var asB = await Assert.ThrowsAsync<AttachRefusedException>(() => Attach(impostor, proof));
        Assert.Contains("it presented node holder-a's certificate", asB.Message, StringComparison.Ordinal);

        await server.Fleet.Start("held-more.pod", pod: "Count=2", fleet: "MachineMetadata=role=holder");
        var more = await Until(server.Fleet.Unit("held-more.pod"), pods => Running(pods).Count == 2, "two more pods running on holder-b");
        Assert.All(more.Pods, p => Assert.Equal("holder-b", p.NodeName));
        Assert.Empty(impostor.Pods);
        Assert.Equal(4, b.Pods.Count);
        Assert.Equal(1, b.Attachments);
    }

    [Fact]
    public async Task A_certificate_of_another_CA_with_the_nodes_name_is_refused()
    {
        using var foreignCa = CertificateAuthority.Create(DateTimeOffset.UtcNow);
        using var foreign = foreignCa.Issue(new CertificateIdentity("foreign-a", CertificateKind.Node), [], [], DateTimeOffset.UtcNow, TimeSpan.FromDays(1));

        var refused = await Assert.ThrowsAsync<AttachRefusedException>(() => FakeNodeAgent.Attach(Client, "foreign-a", "role=agent", foreign));

        Assert.Contains("node foreign-a refused: certificate 'CN=foreign-a, OU=node", refused.Message, StringComparison.Ordinal);
        Assert.Contains("is not issued by this cluster's CA", refused.Message, StringComparison.Ordinal);
        Assert.Equal(NodeLiveness.Down, (await Client.GetGrain<INodeGrain>("foreign-a").GetStatus()).Liveness);
    }

    [Fact]
    public async Task A_revoked_certificate_is_refused_even_to_the_node_it_names()
    {
        using var certificate = Pki.Issue("revoked-a", CertificateKind.Node, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        await using (await FakeNodeAgent.Attach(Client, "revoked-a", "role=agent", certificate))
        {
            // Attached while it was good.
        }

        Pki.Revoke(certificate);
        var refused = await Assert.ThrowsAsync<AttachRefusedException>(() => FakeNodeAgent.Attach(Client, "revoked-a", "role=agent", certificate));

        Assert.Contains($"(serial {certificate.SerialNumber}) is revoked", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_certificate_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        using var expired = Pki.Issue("expired-a", CertificateKind.Node, now.AddDays(-10), now.AddDays(-1));

        var refused = await Assert.ThrowsAsync<AttachRefusedException>(() => FakeNodeAgent.Attach(Client, "expired-a", "role=agent", expired));

        Assert.Contains("expired at", refused.Message, StringComparison.Ordinal);
        Assert.Equal(NodeLiveness.Down, (await Client.GetGrain<INodeGrain>("expired-a").GetStatus()).Liveness);
    }

    [Fact]
    public async Task A_users_certificate_with_the_nodes_name_is_refused()
    {
        using var admin = Pki.Issue("admin-a", CertificateKind.Admin, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        var refused = await Assert.ThrowsAsync<AttachRefusedException>(() => FakeNodeAgent.Attach(Client, "admin-a", "role=agent", admin));

        Assert.Contains("is admin-a (admin), not a node certificate", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signature_by_another_key_or_over_another_nodes_name_is_refused()
    {
        await using var agent = FakeNodeAgent.Unattached(Client, "signer-a");
        var own = Pki.Node("signer-a");
        using var otherKey = Pki.Issue("signer-a", CertificateKind.Node, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        var challenge = await Challenge("signer-a");
        var byOtherKey = SignedProof(challenge, "signer-a", otherKey) with { Certificate = own.RawData };
        var wrongKey = await Assert.ThrowsAsync<AttachRefusedException>(() => Attach(agent, byOtherKey));
        Assert.Equal("attach as node signer-a refused: its signature does not verify with node signer-a's certificate (not made with its node.key over this node's name and challenge)", wrongKey.Message);

        var overOtherName = SignedProof(await Challenge("signer-a"), "signer-b", own);
        await Assert.ThrowsAsync<AttachRefusedException>(() => Attach(agent, overOtherName));

        var garbage = SignedProof(await Challenge("signer-a"), "signer-a", own) with { Signature = RandomNumberGenerator.GetBytes(64) };
        await Assert.ThrowsAsync<AttachRefusedException>(() => Attach(agent, garbage));

        var notACertificate = SignedProof(await Challenge("signer-a"), "signer-a", own) with { Certificate = RandomNumberGenerator.GetBytes(600) };
        var broken = await Assert.ThrowsAsync<AttachRefusedException>(() => Attach(agent, notACertificate));
        Assert.Contains("what it presented is not a certificate", broken.Message, StringComparison.Ordinal);

        Assert.Equal(NodeLiveness.Down, (await Client.GetGrain<INodeGrain>("signer-a").GetStatus()).Liveness);
        Assert.NotEmpty((await Attach(agent, SignedProof(await Challenge("signer-a"), "signer-a", own))).Token);
    }

    [Fact]
    public async Task A_challenge_serves_one_attach_and_an_unknown_or_crowded_out_one_none()
    {
        await using var agent = FakeNodeAgent.Unattached(Client, "replay-a");
        var proof = SignedProof(await Challenge("replay-a"), "replay-a", Pki.Node("replay-a"));
        Assert.NotEmpty((await Attach(agent, proof)).Token);

        var replayed = await Assert.ThrowsAsync<AttachRefusedException>(() => Attach(agent, proof));
        Assert.Equal("attach as node replay-a refused: its challenge is stale or unknown (each is good for one attach within 30 s)", replayed.Message);

        var unknown = SignedProof(RandomNumberGenerator.GetBytes(32), "replay-a", Pki.Node("replay-a"));
        await Assert.ThrowsAsync<AttachRefusedException>(() => Attach(agent, unknown));

        // A challenge for another node's grain is that grain's, not this one's.
        var elsewhere = SignedProof(await Challenge("replay-b"), "replay-a", Pki.Node("replay-a"));
        await Assert.ThrowsAsync<AttachRefusedException>(() => Attach(agent, elsewhere));

        // Asking for many keeps only the last few: the first is gone, the last still good.
        var first = await Challenge("replay-a");
        byte[] last = [];
        for (var i = 0; i < 4; i++)
        {
            last = await Challenge("replay-a");
        }

        await Assert.ThrowsAsync<AttachRefusedException>(() => Attach(agent, SignedProof(first, "replay-a", Pki.Node("replay-a"))));
        Assert.NotEmpty((await Attach(agent, SignedProof(last, "replay-a", Pki.Node("replay-a")))).Token);
    }

    [Fact]
    public async Task Only_the_last_attachs_session_keeps_the_node_up()
    {
        await using var agent = FakeNodeAgent.Unattached(Client, "session-a");
        var node = Client.GetGrain<INodeGrain>("session-a");
        var first = (await Attach(agent, SignedProof(await Challenge("session-a"), "session-a", Pki.Node("session-a")))).Token;
        Assert.True((await node.Heartbeat(first)).Accepted);

        var second = (await Attach(agent, SignedProof(await Challenge("session-a"), "session-a", Pki.Node("session-a")))).Token;
        Assert.NotEqual(first, second);
        Assert.Equal(HeartbeatAnswer.Refused, await node.Heartbeat(first));
        Assert.Equal(HeartbeatAnswer.Refused, await node.Heartbeat(""));
        Assert.Equal(HeartbeatAnswer.Refused, await node.Heartbeat(second.ToLowerInvariant()));

        // Beats with the replaced session do not keep it up: it goes down as if nothing beat.
        await Eventually.Until(async () => (await node.Heartbeat(first), (await node.GetStatus()).Liveness), s => s.Liveness == NodeLiveness.Down,
            $"session-a down within {AgentMinHeartbeatPeriod * 1.25 + AgentHeartbeatGrace} of beats with a stale session");
        Assert.Equal(HeartbeatAnswer.Refused, await node.Heartbeat(second));
    }

    private Task<byte[]> Challenge(string node) => Client.GetGrain<INodeGrain>(node).Challenge();

    private static AttachProof SignedProof(byte[] challenge, string node, X509Certificate2 certificate) => AttachProof.Sign(node, challenge, certificate);

    private Task<AgentSession> Attach(FakeNodeAgent agent, AttachProof proof) =>
        Client.GetGrain<INodeGrain>(agent.Name).Attach(agent.Reference, agent.Announcement, [], proof);
}
