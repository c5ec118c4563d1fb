namespace FleetPods.NodeRuntime.Images.Trust;

/// <summary>
/// How an image fetched over the network is checked before it is stored: its detached OpenPGP signature against the
/// keys trusted for its name, or not at all (<c>--insecure-options=image</c>).
/// </summary>
public sealed record ImageVerification
{
    private ImageVerification(IReadOnlyList<TrustedSigningKey> keys, bool insecure)
    {
        Keys = keys;
        Insecure = insecure;
    }

    /// <summary>No check: the caller said <c>--insecure-options=image</c>.</summary>
    public static ImageVerification Skipped { get; } = new([], insecure: true);

    /// <summary>The cluster's trusted keys; the verifier takes those whose prefix covers the image's name.</summary>
    public IReadOnlyList<TrustedSigningKey> Keys { get; }

    public bool Insecure { get; }

    /// <summary>A signature is required, by one of <paramref name="keys"/> trusted for the image's name.</summary>
    public static ImageVerification By(IReadOnlyList<TrustedSigningKey> keys) => new(keys ?? throw new ArgumentNullException(nameof(keys)), insecure: false);
}
