using System.Net;

namespace FleetPods.NodeRuntime.Images.Discovery;

/// <summary>
/// Reads the <c>&lt;meta name="ac-discovery…" content="PREFIX VALUE"&gt;</c> tags of a discovery page, as the appc
/// spec defines them. Only meta tags are looked at, by a small tokenizer: attribute names are case-insensitive,
/// values double-, single- or un-quoted with HTML entities decoded. A tag that is cut off, lacks a name or content,
/// or whose content is not two words is skipped, as the spec's reference client skips it.
/// </summary>
internal static class DiscoveryPage
{
    /// <summary>The most meta tags read from one page.</summary>
    public const int MaxTags = 100;

    public static IReadOnlyList<DiscoveryMeta> Parse(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var found = new List<DiscoveryMeta>();
        var at = 0;
        while (found.Count < MaxTags && (at = html.IndexOf("<meta", at, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            at += "<meta".Length;
            if (at < html.Length && !char.IsWhiteSpace(html[at]))
            {
                continue;
            }

            var attributes = ReadAttributes(html, ref at);
            if (attributes is null)
            {
                break;
            }

            if (attributes.GetValueOrDefault("name") is { } name && attributes.GetValueOrDefault("content") is { } content
                && (name == "ac-discovery" ? DiscoveryMetaKind.Template : name == "ac-discovery-pubkeys" ? DiscoveryMetaKind.PublicKeys : (DiscoveryMetaKind?)null) is { } kind
                && content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is [var prefix, var value])
            {
                found.Add(new DiscoveryMeta(kind, prefix, value));
            }
        }

        return found;
    }

    // The attributes up to the tag's '>', or null when the page ends first.
    private static Dictionary<string, string>? ReadAttributes(string html, ref int at)
    {
        var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            while (at < html.Length && (char.IsWhiteSpace(html[at]) || html[at] == '/'))
            {
                at++;
            }

            if (at >= html.Length)
            {
                return null;
            }

            if (html[at] == '>')
            {
                at++;
                return attributes;
            }

            var nameStart = at;
            while (at < html.Length && !char.IsWhiteSpace(html[at]) && html[at] is not ('=' or '>' or '/'))
            {
                at++;
            }

            var name = html[nameStart..at];
            while (at < html.Length && char.IsWhiteSpace(html[at]))
            {
                at++;
            }

            var value = "";
            if (at < html.Length && html[at] == '=')
            {
                at++;
                while (at < html.Length && char.IsWhiteSpace(html[at]))
                {
                    at++;
                }

                if (at >= html.Length)
                {
                    return null;
                }

                if (html[at] is '"' or '\'')
                {
                    var quote = html[at];
                    var end = html.IndexOf(quote, at + 1);
                    if (end < 0)
                    {
                        return null;
                    }

                    value = html[(at + 1)..end];
                    at = end + 1;
                }
                else
                {
                    var start = at;
                    while (at < html.Length && !char.IsWhiteSpace(html[at]) && html[at] != '>')
                    {
                        at++;
                    }

                    value = html[start..at];
                }
            }

            if (name.Length > 0)
            {
                attributes.TryAdd(name, WebUtility.HtmlDecode(value));
            }
        }
    }
}
