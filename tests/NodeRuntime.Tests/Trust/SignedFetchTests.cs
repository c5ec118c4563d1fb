using FleetPods.NodeRuntime.Images.Trust;

namespace FleetPods.NodeRuntime.Tests.Trust;

/// <summary>
/// A node's store fetching ACIs over HTTP from a loopback server, each beside its detached signature (<c>URL.asc</c>)
/// as rkt fetched them, checked against the keys trusted per prefix: only a trusted signature over the very bytes
/// lets an image in, and a refused one leaves nothing in the store.
/// </summary>
public sealed class SignedFetchTests(SigningKeys keys) : IClassFixture<SigningKeys>, IAsyncLifetime
{
    private readonly StoreHarness node = new();
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-signed-").FullName;
    private TestFileServer server = null!;

    private ImageStore Store => node.Runtime.Images;

    public async Task InitializeAsync() => server = await TestFileServer.Start();

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await node.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task A_signed_aci_whose_key_is_trusted_for_its_name_is_stored()
    {
        var url = Publish("app.aci", "example.com/app", keys.Alice);

        var image = await Store.FetchAsync(url, ImageVerification.By([Trusted("example.com", keys.Alice)]));

        Assert.Equal("example.com/app", image.Name);
        Assert.Contains("/app.aci.asc", server.Requests);
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task An_unsigned_aci_is_refused_and_nothing_is_stored()
    {
        var url = Publish("app.aci", "example.com/app", signer: null);

        var error = await Assert.ThrowsAsync<ImageImportException>(() => Store.FetchAsync(url, ImageVerification.By([Trusted("example.com/app", keys.Alice)])));

        Assert.Equal(
            $"{url}: unsigned: no signature at {url}.asc; an image fetched over the network must be signed by a key trusted for example.com/app ('fleetpods trust --prefix PREFIX KEY.asc'), or fetched with --insecure-options=image",
            error.Message);
        TestFiles.AssertStoreHoldsNothing(node.ImagesDirectory);
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task An_aci_signed_by_another_key_is_refused_with_that_key_id()
    {
        var url = Publish("app.aci", "example.com/app", keys.Mallory);

        var error = await Assert.ThrowsAsync<ImageImportException>(() => Store.FetchAsync(url, ImageVerification.By([Trusted("example.com/app", keys.Alice)])));

        Assert.StartsWith($"{url}: signed by key {keys.Mallory[^16..]}, which is not trusted for example.com/app;", error.Message, StringComparison.Ordinal);
        TestFiles.AssertStoreHoldsNothing(node.ImagesDirectory);
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task A_key_trusted_only_for_another_prefix_cannot_sign_this_name()
    {
        // Mallory is trusted for her own names; the image she signed claims Alice's.
        var url = Publish("app.aci", "example.com/app", keys.Mallory);

        var error = await Assert.ThrowsAsync<ImageImportException>(() =>
            Store.FetchAsync(url, ImageVerification.By([Trusted("example.com/app", keys.Alice), Trusted("example.net", keys.Mallory)])));

        Assert.Contains("which is not trusted for example.com/app (it is trusted only for example.net)", error.Message, StringComparison.Ordinal);
        Assert.Empty(Store.List());
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task A_tampered_aci_fails_its_signature_and_is_not_stored()
    {
        var url = Publish("app.aci", "example.com/app", keys.Alice);
        var other = Path.Combine(directory, "other.aci");
        TestAci.Write(other, "example.com/app", content: "not what Alice signed\n");
        server.Put("/app.aci", await File.ReadAllBytesAsync(other));

        var error = await Assert.ThrowsAsync<ImageImportException>(() => Store.FetchAsync(url, ImageVerification.By([Trusted("example.com/app", keys.Alice)])));

        Assert.Equal($"{url}: the signature by key {keys.Alice} does not match the image's bytes (changed after it was signed, or signed over another file)", error.Message);
        TestFiles.AssertStoreHoldsNothing(node.ImagesDirectory);
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task Insecure_options_image_lets_an_unsigned_aci_in_and_a_pinned_digest_still_holds()
    {
        var url = Publish("app.aci", "example.com/app", signer: null);

        var pinned = await Assert.ThrowsAsync<ImageImportException>(() =>
            Store.FetchAsync(url, ImageVerification.Skipped, new ImageImportOptions { ExpectedDigest = "sha512-" + new string('0', 128) }));
        var image = await Store.FetchAsync(url, ImageVerification.Skipped);

        Assert.Contains("not the pinned sha512-000", pinned.Message, StringComparison.Ordinal);
        Assert.Equal("example.com/app", image.Name);
        Assert.DoesNotContain("/app.aci.asc", server.Requests);
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task A_signed_archive_that_is_not_an_aci_is_refused_without_insecure_options()
    {
        var layout = Path.Combine(directory, "not-an-aci.tar");
        await using (var tar = File.Create(layout))
        {
            await using var writer = new System.Formats.Tar.TarWriter(tar);
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream("[]"u8.ToArray()) });
        }

        server.Put("/image.tar", await File.ReadAllBytesAsync(layout));
        server.Put("/image.tar.asc", await File.ReadAllBytesAsync(keys.Gpg.Sign(keys.Alice, layout)));

        var error = await Assert.ThrowsAsync<ImageImportException>(() => Store.FetchAsync(new Uri($"{server.Origin}/image.tar"), ImageVerification.By([Trusted("", keys.Alice)])));

        Assert.Contains("only an ACI carries a signature FleetPods checks", error.Message, StringComparison.Ordinal);
        TestFiles.AssertStoreHoldsNothing(node.ImagesDirectory);
    }

    private TrustedSigningKey Trusted(string prefix, string fingerprint) => new(prefix, keys.Gpg.ExportPublic(fingerprint));

    // Serves an ACI named `name` at /file, and its signature by `signer` at /file.asc unless null.
    private Uri Publish(string file, string name, string? signer)
    {
        var path = Path.Combine(directory, file);
        TestAci.Write(path, name);
        server.Put("/" + file, File.ReadAllBytes(path));
        if (signer is not null)
        {
            server.Put($"/{file}.asc", File.ReadAllBytes(keys.Gpg.Sign(signer, path)));
        }

        return new Uri($"{server.Origin}/{file}");
    }
}
