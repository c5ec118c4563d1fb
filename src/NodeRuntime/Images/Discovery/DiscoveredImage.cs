namespace FleetPods.NodeRuntime.Images.Discovery;

/// <summary>Where discovery says an image and its signature are, and where its publisher lists its keys (if it does).</summary>
internal sealed record DiscoveredImage(Uri Image, Uri Signature, IReadOnlyList<string> PublicKeys);
