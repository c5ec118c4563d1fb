namespace FleetPods.Silo;

/// <summary>
/// fleetpodsd's <c>--registry-mirror HOST=URL</c>, repeatable, as containerd's hosts.toml: pulls of an image of
/// registry HOST (<c>host[:port]</c>, <c>docker.io</c> for Docker Hub) try each of its mirrors in the order given,
/// then the registry itself. A URL is its scheme, host and port (http or https).
/// </summary>
public static class RegistryMirrorOption
{
    /// <exception cref="FormatException">A value is not HOST=URL; the message names it.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<Uri>> Parse(IEnumerable<string>? values)
    {
        var mirrors = new Dictionary<string, List<Uri>>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in values ?? [])
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            var host = equals > 0 ? value[..equals] : "";
            if (host.Length == 0 || host.Contains('/', StringComparison.Ordinal)
                || !Uri.TryCreate(value[(equals + 1)..], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.AbsolutePath != "/")
            {
                throw new FormatException($"--registry-mirror '{value}' is not HOST=URL (e.g. docker.io=https://mirror.example.com:5000: a registry's host, and a mirror's http or https URL with no path)");
            }

            if (!mirrors.TryGetValue(host, out var list))
            {
                mirrors[host] = list = [];
            }

            list.Add(url);
        }

        return mirrors.ToDictionary(m => m.Key, m => (IReadOnlyList<Uri>)m.Value, StringComparer.OrdinalIgnoreCase);
    }
}
