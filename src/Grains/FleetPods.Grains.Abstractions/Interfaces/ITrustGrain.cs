namespace FleetPods.Grains;

/// <summary>
/// The cluster's trusted image signing keys, per name prefix (rkt's <c>trust</c>); one grain, key <see cref="Cluster"/>.
/// Adding and removing keys needs an admin; the keys are public and anyone may list them. Nodes check an image
/// fetched over the network against the keys whose prefix covers its name.
/// </summary>
public interface ITrustGrain : IGrainWithIntegerKey
{
    /// <summary>The key of the cluster's one trust grain.</summary>
    const long Cluster = 0;

    /// <summary>
    /// Trusts a key for a prefix (an AppC name such as <c>example.com/app</c>, or empty for every name); the same key
    /// for the same prefix again replaces it. The caller has read the key (fingerprint and user ids) from its armor.
    /// </summary>
    Task<TrustedKey> Add(string prefix, string fingerprint, string armoredKey, string[] userIds);

    /// <summary>Every trusted key, by prefix then fingerprint.</summary>
    Task<IReadOnlyList<TrustedKey>> List();

    /// <summary>Stops trusting a key for every prefix; returns what was removed (an error when nothing was).</summary>
    Task<IReadOnlyList<TrustedKey>> RemoveKey(string fingerprint);

    /// <summary>Stops trusting every key for exactly this prefix; returns what was removed (an error when nothing was).</summary>
    Task<IReadOnlyList<TrustedKey>> RemovePrefix(string prefix);
}
