using FleetPods.NodeRuntime.Images.Trust;
using FleetPods.NodeRuntime.Tests.Trust;

namespace FleetPods.NodeRuntime.Tests.Discovery;

/// <summary>
/// A node's store fetching ACIs by AppC name from a loopback HTTPS server (a test CA, handed over as --ca-file
/// would) that serves the discovery page, the ACI and its signature, checked against real gpg keys.
/// </summary>
public sealed class DiscoveryFetchTests(SigningKeys keys) : IClassFixture<SigningKeys>, IAsyncLifetime
{
    private readonly StoreHarness node = new();
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-discovery-").FullName;
    private TestFileServer server = null!;

    private ImageStore Store => node.Runtime.Images;

    private string Host => $"localhost:{server.Port}";

    public async Task InitializeAsync() => server = await TestFileServer.Start(tls: true);

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await node.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task A_name_is_discovered_through_a_parent_path_and_its_signed_aci_stored()
    {
        Page("/team", $"{Host}/team");
        Publish("team/app", "1.0", keys.Alice);

        var image = await Store.DiscoverAsync($"{Host}/team/app:1.0", ImageVerification.By([Trusted($"{Host}/team", keys.Alice)]), server.Ca!.CertificatePem);

        Assert.Equal(($"{Host}/team/app", "1.0"), (image.Name, image.Labels["version"]));
        Assert.Equal(["/team/app?ac-discovery=1", "/team?ac-discovery=1", $"/images/{Host}/team/app-1.0-linux-amd64.aci", $"/images/{Host}/team/app-1.0-linux-amd64.aci.asc"], server.Requests);
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task A_key_not_trusted_for_the_name_is_refused_pointing_at_the_publishers_keys()
    {
        Page("/app", $"{Host}/app");
        Publish("app", "1.0", keys.Mallory);

        var error = await Assert.ThrowsAsync<ImageImportException>(() =>
            Store.DiscoverAsync($"{Host}/app:1.0", ImageVerification.By([Trusted($"{Host}/app", keys.Alice)]), server.Ca!.CertificatePem));

        Assert.Contains($"signed by key {keys.Mallory[^16..]} (its publisher lists its keys at https://{Host}/pubkeys.gpg), which is not trusted for {Host}/app;", error.Message, StringComparison.Ordinal);
        TestFiles.AssertStoreHoldsNothing(node.ImagesDirectory);
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task An_aci_whose_manifest_names_another_image_is_refused_even_when_signed()
    {
        Page("/app", $"{Host}/app");
        Publish("app", "1.0", keys.Alice, manifestName: $"{Host}/other");

        var error = await Assert.ThrowsAsync<ImageImportException>(() => Store.DiscoverAsync($"{Host}/app:1.0", ImageVerification.By([Trusted("", keys.Alice)]), server.Ca!.CertificatePem));

        Assert.EndsWith($": discovered for {Host}/app, but its manifest names {Host}/other", error.Message, StringComparison.Ordinal);
        Assert.Empty(Store.List());
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task Without_the_ca_the_server_is_not_trusted_and_every_url_tried_is_named()
    {
        Page("/app", $"{Host}/app");

        var error = await Assert.ThrowsAsync<ImageImportException>(() => Store.DiscoverAsync($"{Host}/app", ImageVerification.By([]), caCertificatesPem: null));

        Assert.StartsWith($"cannot discover {Host}/app: https://{Host}/app?ac-discovery=1: no TLS connection", error.Message, StringComparison.Ordinal);
        Assert.Contains($"; https://{Host}/?ac-discovery=1: no TLS connection", error.Message, StringComparison.Ordinal);
        Assert.Contains("needs --ca-file", error.Message, StringComparison.Ordinal);
    }

    private TrustedSigningKey Trusted(string prefix, string fingerprint) => new(prefix, keys.Gpg.ExportPublic(fingerprint));

    private void Page(string path, string prefix) => server.Put(path, System.Text.Encoding.UTF8.GetBytes($"""
        <!DOCTYPE html>
        <html><head>
        <meta name="ac-discovery" content="{prefix} https://{Host}/images/{"{name}"}-{"{version}"}-{"{os}"}-{"{arch}"}.{"{ext}"}">
        <meta name="ac-discovery-pubkeys" content="{prefix} https://{Host}/pubkeys.gpg">
        </head></html>
        """));

    // Serves the ACI of `path` (below the host) where the page's template puts it, signed by `signer`.
    private void Publish(string path, string version, string signer, string? manifestName = null)
    {
        var file = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".aci");
        TestAci.Write(file, manifestName ?? $"{Host}/{path}", version);
        var at = $"/images/{Host}/{path}-{version}-linux-amd64.aci";
        server.Put(at, File.ReadAllBytes(file));
        server.Put(at + ".asc", File.ReadAllBytes(keys.Gpg.Sign(signer, file)));
    }
}
