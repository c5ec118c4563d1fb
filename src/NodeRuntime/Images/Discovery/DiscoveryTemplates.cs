using System.Text.RegularExpressions;

namespace FleetPods.NodeRuntime.Images.Discovery;

/// <summary>
/// Fills the <c>ac-discovery</c> templates whose prefix the name starts with, as the appc spec defines: <c>{name}</c>,
/// each label (<c>{version}</c>, <c>{os}</c>, <c>{arch}</c>, any other given), then <c>{ext}</c> as <c>aci</c> and
/// <c>aci.asc</c>. A template left with a variable the name does not fill, or that is not an https URL, is skipped.
/// </summary>
internal static partial class DiscoveryTemplates
{
    public static IReadOnlyList<DiscoveredImage> Render(AppImageName app, IReadOnlyList<DiscoveryMeta> metas)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(metas);
        var keys = metas.Where(m => m.Kind == DiscoveryMetaKind.PublicKeys && app.Name.StartsWith(m.Prefix, StringComparison.Ordinal)).Select(m => m.Value).ToList();
        var found = new List<DiscoveredImage>();
        foreach (var meta in metas.Where(m => m.Kind == DiscoveryMetaKind.Template && app.Name.StartsWith(m.Prefix, StringComparison.Ordinal)))
        {
            var filled = app.Labels.Aggregate(meta.Value.Replace("{name}", app.Name, StringComparison.Ordinal), (t, l) => t.Replace($"{{{l.Key}}}", l.Value, StringComparison.Ordinal));
            if (Https(filled.Replace("{ext}", "aci", StringComparison.Ordinal)) is { } image && Https(filled.Replace("{ext}", "aci.asc", StringComparison.Ordinal)) is { } signature)
            {
                found.Add(new DiscoveredImage(image, signature, keys));
            }
        }

        return found;
    }

    private static Uri? Https(string url) =>
        !Variable().IsMatch(url) && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps ? uri : null;

    [GeneratedRegex("{[^}]*}")]
    private static partial Regex Variable();
}
