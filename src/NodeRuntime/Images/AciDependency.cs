namespace FleetPods.NodeRuntime.Images;

/// <summary>One entry of an ACI manifest's <c>dependencies</c>: an image by name and labels, or pinned by id.</summary>
internal sealed record AciDependency(string ImageName, string? ImageId, IReadOnlyDictionary<string, string> Labels);
