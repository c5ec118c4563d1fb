namespace FleetPods.NodeRuntime.Images.Discovery;

/// <summary>
/// The appc spec's rule for a discovered image: its manifest has the name asked for, and every label asked for with
/// the value asked for; <c>os</c> and <c>arch</c>, when the manifest has them, are the nodes' (linux, amd64).
/// </summary>
internal static class DiscoveredManifest
{
    /// <exception cref="ImageImportException">The manifest names another image or labels it otherwise.</exception>
    public static void Check(AppImageName app, AciManifest manifest, string what)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Name != app.Name)
        {
            throw new ImageImportException($"{what}: discovered for {app.Name}, but its manifest names {manifest.Name}");
        }

        foreach (var (key, value) in app.Labels.Where(l => app.Given.Contains(l.Key) || l.Key is "os" or "arch"))
        {
            var has = manifest.Labels.GetValueOrDefault(key);
            if (has != value && (has is not null || app.Given.Contains(key)))
            {
                throw new ImageImportException($"{what}: discovered for {key}={value}, but its manifest says {(has is null ? $"no {key}" : $"{key}={has}")}");
            }
        }
    }
}
