namespace FleetPods.NodeRuntime.Images.Discovery;

/// <summary>What one <c>ac-discovery</c> or <c>ac-discovery-pubkeys</c> meta tag says: for names starting with <paramref name="Prefix"/>, a URL template or a keys URL.</summary>
internal sealed record DiscoveryMeta(DiscoveryMetaKind Kind, string Prefix, string Value);

internal enum DiscoveryMetaKind
{
    /// <summary><c>ac-discovery</c>: a template of the image's and its signature's URLs.</summary>
    Template,

    /// <summary><c>ac-discovery-pubkeys</c>: where the publisher lists its keys.</summary>
    PublicKeys,
}
