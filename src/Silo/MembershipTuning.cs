using Orleans.Configuration;

namespace FleetPods.Silo;

/// <summary>
/// Orleans membership settings of cluster mode. Orleans' defaults (a 5 s probe timeout, 3 missed probes, then
/// votes) took 6–13 s here to declare a SIGKILLed silo dead (bench/README.md); the goal is its pods running elsewhere within 15 s.
/// Every silo probes its peers every <see cref="ProbeTimeout"/>; after <see cref="MissedProbes"/> misses in a row
/// it suspects the peer and votes; two votes (or every other silo's, in a cluster of two) declare it dead.
/// A killed silo's port refuses connections at once, so the misses are real timeouts only for a cut network.
/// </summary>
/// <param name="ProbeTimeout">How long a probe may take, and the probe period.</param>
/// <param name="MissedProbes">Missed probes in a row before a silo votes its peer dead.</param>
/// <param name="OrleansDefaults">Leave every membership setting at Orleans' default (the benchmark's reference).</param>
public sealed record MembershipTuning(TimeSpan ProbeTimeout, int MissedProbes, bool OrleansDefaults = false)
{
    /// <summary>Orleans' own settings, unchanged: the reference the benchmark measures against.</summary>
    public static MembershipTuning Default { get; } = new(TimeSpan.FromSeconds(5), 3, OrleansDefaults: true);

    /// <summary>
    /// 1 s probes, 3 misses: a killed silo is declared dead in about 1.3 s, a cut-off one in about 12 s. Lower risks declaring a silo dead
    /// that is only stalled (a long GC pause, a saturated machine), which costs a needless move of its pods.
    /// </summary>
    public static MembershipTuning Recommended { get; } = new(TimeSpan.FromSeconds(1), 3);

    public void Apply(ClusterMembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (OrleansDefaults)
        {
            return;
        }

        options.ProbeTimeout = ProbeTimeout;
        options.NumMissedProbesLimit = MissedProbes;
        options.NumVotesForDeathDeclaration = 2;
        // Votes older than this are not counted; a few probe periods keeps a slow second voter's vote.
        options.DeathVoteExpirationTimeout = ProbeTimeout * (MissedProbes + 5);
        // How often each silo re-reads the table in case it missed a gossip message.
        options.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
    }
}
