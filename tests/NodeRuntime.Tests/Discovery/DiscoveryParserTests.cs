using FleetPods.NodeRuntime.Images;
using FleetPods.NodeRuntime.Images.Discovery;

namespace FleetPods.NodeRuntime.Tests.Discovery;

/// <summary>AppC names as rkt took them, the discovery page's meta tags, the templates they render, and the manifest rule.</summary>
public sealed class DiscoveryParserTests
{
    [Fact]
    public void A_name_with_a_version_and_labels_fills_the_rest_with_the_defaults()
    {
        var app = AppImageName.Parse("example.com/app:1.0,channel=beta");

        Assert.Equal("example.com/app", app.Name);
        Assert.Equal(
            new Dictionary<string, string> { ["version"] = "1.0", ["channel"] = "beta", ["os"] = "linux", ["arch"] = "amd64" },
            app.Labels.ToDictionary(l => l.Key, l => l.Value));
        Assert.Equal(["channel", "version"], app.Given.Order());
        Assert.Equal("latest", AppImageName.Parse("example.com/app").Labels["version"]);
        Assert.Equal(("localhost:8443/app", "2"), (AppImageName.Parse("localhost:8443/app:2").Name, AppImageName.Parse("localhost:8443/app:2").Labels["version"]));
    }

    [Theory]
    [InlineData("Example.com/app", "is not an AppC name")]
    [InlineData("app", "is not an AppC name with a domain")]
    [InlineData("example.com//app", "is not an AppC name")]
    [InlineData("example.com/app:", "version '' must be")]
    [InlineData("example.com/app:1.0:2", "version '1.0:2' must be")]
    [InlineData("example.com/app,os", "'os' is not LABEL=VALUE")]
    [InlineData("example.com/app,os=linux,os=linux", "label 'os' is given twice")]
    [InlineData("example.com/app,OS=linux", "label 'OS' is not an AppC name")]
    [InlineData("example.com/app,os=li/nux", "label os's value 'li/nux' must be")]
    [InlineData("localhost:99999/app", "is not an AppC name")]
    public void A_bad_name_is_refused_saying_what_is_wrong(string text, string why)
    {
        var error = Assert.Throws<ImageImportException>(() => AppImageName.Parse(text));

        Assert.StartsWith($"'{text}': ", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://example.com/app.aci", false)]
    [InlineData("HTTPS://example.com/app.aci", false)]
    [InlineData("docker://busybox", false)]
    [InlineData("file:///tmp/app.aci", false)]
    [InlineData("example.com/app:1.0", true)]
    [InlineData("localhost:8443/app", true)]
    public void Names_without_a_known_scheme_are_discovered(string text, bool discovered) => Assert.Equal(discovered, AppImageName.IsAppName(text));

    [Fact]
    public void Meta_tags_are_read_whatever_their_quoting_case_and_entities_and_other_tags_are_ignored()
    {
        const string Html = """
            <html><head>
            <META NAME="ac-discovery" CONTENT="example.com https://example.com/{name}-{version}.{ext}">
            <meta content='example.com/app https://mirror.example.com/app.{ext}?a=1&amp;b=2' name='ac-discovery' />
            <meta name=ac-discovery-pubkeys content="example.com https://example.com/pubkeys.gpg">
            <meta name="description" content="not ours">
            <metadata name="ac-discovery" content="example.com https://evil.example/{ext}">
            </head></html>
            """;

        var metas = DiscoveryPage.Parse(Html);

        Assert.Equal(
            [
                new DiscoveryMeta(DiscoveryMetaKind.Template, "example.com", "https://example.com/{name}-{version}.{ext}"),
                new DiscoveryMeta(DiscoveryMetaKind.Template, "example.com/app", "https://mirror.example.com/app.{ext}?a=1&b=2"),
                new DiscoveryMeta(DiscoveryMetaKind.PublicKeys, "example.com", "https://example.com/pubkeys.gpg"),
            ],
            metas);
    }

    [Theory]
    [InlineData("<meta name=\"ac-discovery\">")]
    [InlineData("<meta content=\"example.com https://example.com/{ext}\">")]
    [InlineData("<meta name=\"ac-discovery\" content=\"https://example.com/{ext}\">")]
    [InlineData("<meta name=\"ac-discovery\" content=\"example.com https://example.com/{ext} extra\">")]
    [InlineData("<meta name=\"ac-discovery\" content=\"example.com https://example.com/{ext}")]
    [InlineData("<meta name=\"ac-discovery\" content=\"example.com https://example.com/{ext}\"")]
    [InlineData("<meta name=\"ac-discovery-other\" content=\"example.com https://example.com/{ext}\">")]
    public void A_malformed_or_cut_off_tag_is_skipped(string html) => Assert.Empty(DiscoveryPage.Parse("<head>" + html));

    [Fact]
    public void Templates_are_filled_from_the_name_and_labels_and_only_complete_https_ones_for_a_matching_prefix_count()
    {
        var app = AppImageName.Parse("example.com/app:1.0");
        DiscoveryMeta[] metas =
        [
            new(DiscoveryMetaKind.Template, "other.org", "https://other.org/{name}.{ext}"),
            new(DiscoveryMetaKind.Template, "example.com", "http://example.com/{name}.{ext}"),
            new(DiscoveryMetaKind.Template, "example.com", "https://example.com/{name}-{channel}.{ext}"),
            new(DiscoveryMetaKind.Template, "example.com", "https://cdn.example.com/{os}/{arch}/{name}-{version}.{ext}"),
            new(DiscoveryMetaKind.PublicKeys, "example.com", "https://example.com/pubkeys.gpg"),
        ];

        var found = Assert.Single(DiscoveryTemplates.Render(app, metas));

        Assert.Equal("https://cdn.example.com/linux/amd64/example.com/app-1.0.aci", found.Image.ToString());
        Assert.Equal("https://cdn.example.com/linux/amd64/example.com/app-1.0.aci.asc", found.Signature.ToString());
        Assert.Equal(["https://example.com/pubkeys.gpg"], found.PublicKeys);
        Assert.Empty(DiscoveryTemplates.Render(AppImageName.Parse("example.net/app"), metas));
    }

    [Fact]
    public void A_discovered_manifest_must_have_the_name_and_the_labels_asked_for()
    {
        var app = AppImageName.Parse("example.com/app:1.0");
        var labels = new Dictionary<string, string> { ["version"] = "1.0", ["os"] = "linux" };

        DiscoveredManifest.Check(app, new AciManifest("example.com/app", labels, null), "u");
        var otherName = Assert.Throws<ImageImportException>(() => DiscoveredManifest.Check(app, new AciManifest("example.com/evil", labels, null), "u"));
        var otherVersion = Assert.Throws<ImageImportException>(() =>
            DiscoveredManifest.Check(app, new AciManifest("example.com/app", new Dictionary<string, string> { ["version"] = "0.9" }, null), "u"));
        var noVersion = Assert.Throws<ImageImportException>(() => DiscoveredManifest.Check(app, new AciManifest("example.com/app", new Dictionary<string, string>(), null), "u"));
        var otherArch = Assert.Throws<ImageImportException>(() =>
            DiscoveredManifest.Check(app, new AciManifest("example.com/app", new Dictionary<string, string> { ["version"] = "1.0", ["arch"] = "arm64" }, null), "u"));

        Assert.Equal("u: discovered for example.com/app, but its manifest names example.com/evil", otherName.Message);
        Assert.Equal("u: discovered for version=1.0, but its manifest says version=0.9", otherVersion.Message);
        Assert.Equal("u: discovered for version=1.0, but its manifest says no version", noVersion.Message);
        Assert.Equal("u: discovered for arch=amd64, but its manifest says arch=arm64", otherArch.Message);
    }
}
