using System.Collections.Concurrent;

namespace FleetPods.NodeRuntime.Tests.Registry;

/// <summary>
/// The node's registry client against a real registry (Debian's docker-registry) holding images umoci made and
/// skopeo pushed: by tag, by digest, through an index, over a network that cuts or damages blobs (a proxy), with
/// layers the store already holds, and from mirrors.
/// </summary>
public sealed class RegistryPullTests(RegistryImages images) : IClassFixture<RegistryImages>, IAsyncLifetime
{
    private static readonly RegistryPullOptions Insecure = new() { Insecure = true };
    private readonly StoreHarness node = new(data => new NodeRuntimeOptions(data) { FetchRetryDelay = TimeSpan.FromMilliseconds(10) });
    private readonly List<IAsyncDisposable> started = [];

    private ImageStore Store => node.Runtime.Images;

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit 2 never calls the latter on a test class, and each test's registries must stop.
    public async Task DisposeAsync()
    {
        foreach (var server in started)
        {
            await server.DisposeAsync();
        }

        await node.DisposeAsync();
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task A_tag_is_pulled_as_its_manifest_digest_named_by_registry_and_repository_with_the_tag_as_version()
    {
        var registry = await Registry("busybox:1.36");

        var image = await Store.PullAsync($"docker://{registry.Host}/busybox:1.36", Insecure);

        Assert.Equal(images.ManifestDigest("1.36").Replace(':', '-'), image.Digest);
        Assert.Equal($"{registry.Host}/busybox", image.Name);
        Assert.Equal("1.36", image.Labels["version"]);
        Assert.Equal(image.Digest, Store.Find($"{registry.Host}/busybox:1.36")?.Digest);
        Assert.Equal(["/bin/sh", "-c", "echo hello from $GREETING in $(pwd)"], image.App!.Exec);
        var tree = Path.Combine(node.DataDirectory, "extracted");
        await Store.ExtractAsync(image.Digest, tree, rootfsOnly: true);
        Assert.Equal("second layer\n", await File.ReadAllTextAsync(Path.Combine(tree, "etc", "issue")));
        Assert.False(File.Exists(Path.Combine(tree, "etc", "motd")));
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task Oci_is_a_synonym_and_a_digest_pulls_exactly_that_manifest()
    {
        var registry = await Registry("busybox:1.36");
        var digest = images.ManifestDigest("1.36");

        var image = await Store.PullAsync($"oci://{registry.Host}/busybox@{digest}", Insecure);

        Assert.Equal(digest.Replace(':', '-'), image.Digest);
        var missing = "sha256:" + new string('a', 64);
        var error = await Assert.ThrowsAsync<ImageImportException>(() => Store.PullAsync($"docker://{registry.Host}/busybox@{missing}", Insecure));
        Assert.Equal($"registry {registry.Host} has no image {registry.Host}/busybox:{missing} (manifest unknown)", error.Message);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task A_multi_platform_index_is_resolved_to_its_linux_amd64_image()
    {
        var registry = await TestRegistry.Start();
        started.Add(registry);
        await registry.Push(images.Source("multi"), "busybox:multi", all: true);

        var image = await Store.PullAsync($"docker://{registry.Host}/busybox:multi", Insecure);

        Assert.Equal(images.ManifestDigest("1.36").Replace(':', '-'), image.Digest);
        Assert.Equal("multi", image.Labels["version"]);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task A_blob_cut_off_half_way_is_resumed_with_a_range_and_the_image_is_whole()
    {
        var registry = await Registry("busybox:1.36");
        using var proxy = new RegistryProxy(registry.Host);
        proxy.Misbehave = (_, before) => before == 0 ? BlobMisbehaviour.CutHalfway : BlobMisbehaviour.None;
        var seen = new ConcurrentBag<ImageDownloadProgress>();

        var image = await Store.PullAsync($"docker://{proxy.Host}/busybox:1.36", Insecure, progress: new Recorder(seen));

        Assert.Equal(images.ManifestDigest("1.36").Replace(':', '-'), image.Digest);
        foreach (var layer in images.LayerDigests("1.36"))
        {
            var asked = proxy.Requests.Where(r => r.Contains($"/blobs/{layer}", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, asked.Count);
            Assert.Contains("range=-", asked[0], StringComparison.Ordinal);
            Assert.Matches("range=bytes=[1-9][0-9]*-", asked[1]);
        }

        Assert.Contains(seen, p => p.Attempt == 2);
        Assert.Equal(seen.Max(p => p.TotalBytes), seen.Max(p => p.ReceivedBytes));

        // Each layer on its own, as the CLI draws a bar for each: its digest, its own try, its bytes up to its size.
        var layers = images.LayerDigests("1.36").ToList();
        Assert.All(seen, p => Assert.Equal(layers, p.Layers.Select(l => l.Digest)));
        Assert.Contains(seen, p => p.Layers.All(l => l.Attempt == 2 && l.ReceivedBytes == l.TotalBytes));
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task A_blob_whose_connection_goes_silent_is_given_up_after_the_stall_timeout_and_resumed()
    {
        var registry = await Registry("busybox:1.36");
        using var proxy = new RegistryProxy(registry.Host);
        var layer = images.LayerDigests("1.36")[0];
        proxy.Misbehave = (blob, before) => blob == layer && before == 0 ? BlobMisbehaviour.StallHalfway : BlobMisbehaviour.None;

        var image = await Store.PullAsync($"docker://{proxy.Host}/busybox:1.36", Insecure with { StallTimeout = TimeSpan.FromSeconds(1) });

        Assert.Equal(images.ManifestDigest("1.36").Replace(':', '-'), image.Digest);
        var asked = proxy.Requests.Where(r => r.Contains($"/blobs/{layer}", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, asked.Count);
        Assert.Matches("range=bytes=[1-9][0-9]*-", asked[1]);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task A_layer_whose_bytes_do_not_match_its_digest_is_refused_and_nothing_is_stored()
    {
        var registry = await Registry("busybox:1.36");
        using var proxy = new RegistryProxy(registry.Host);
        var tampered = images.LayerDigests("1.36")[0];
        proxy.Misbehave = (blob, _) => blob == tampered ? BlobMisbehaviour.FlipAByte : BlobMisbehaviour.None;

        var error = await Assert.ThrowsAsync<ImageImportException>(() => Store.PullAsync($"docker://{proxy.Host}/busybox:1.36", Insecure));

        Assert.Contains($"({tampered.Replace(':', '-')}): digest mismatch: expected {tampered.Replace(':', '-')}", error.Message, StringComparison.Ordinal);
        Assert.Empty(Store.List());
        TestFiles.AssertStoreHoldsNothing(node.ImagesDirectory);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task An_image_whose_layers_are_larger_than_the_limit_is_refused_before_a_layer_is_fetched()
    {
        var registry = await Registry("busybox:1.36");
        using var proxy = new RegistryProxy(registry.Host);
        await using var small = new StoreHarness(data => new NodeRuntimeOptions(data) { MaxImageSizeBytes = 64 << 10, FetchRetryDelay = TimeSpan.FromMilliseconds(10) });

        var error = await Assert.ThrowsAsync<ImageImportException>(() => small.Runtime.Images.PullAsync($"docker://{proxy.Host}/busybox:1.36", Insecure));

        Assert.Contains("larger than the limit of 65536 bytes", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(proxy.Requests, r => images.LayerDigests("1.36").Any(layer => r.Contains($"/blobs/{layer}", StringComparison.Ordinal)));
        TestFiles.AssertStoreHoldsNothing(small.ImagesDirectory);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task Layers_already_in_the_store_are_not_downloaded_again()
    {
        var registry = await Registry("busybox:1.36");
        await registry.Push(images.Source("2.0"), "busybox:2.0");
        using var proxy = new RegistryProxy(registry.Host);
        await Store.PullAsync($"docker://{proxy.Host}/busybox:1.36", Insecure);
        Assert.Equal(3, proxy.BlobGets.Count);
        proxy.Requests.Clear();

        var second = await Store.PullAsync($"docker://{proxy.Host}/busybox:2.0", Insecure);
        var again = await Store.PullAsync($"docker://{proxy.Host}/busybox:1.36", Insecure);

        Assert.Equal(images.ManifestDigest("2.0").Replace(':', '-'), second.Digest);
        Assert.Contains("RELEASE=2.0", second.App!.Environment.Select(e => $"{e.Key}={e.Value}"));
        Assert.Equal(images.ManifestDigest("1.36").Replace(':', '-'), again.Digest);
        Assert.Equal([ConfigOf20()], proxy.BlobGets);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task Plain_http_is_refused_without_insecure_with_a_hint()
    {
        var registry = await Registry("busybox:1.36");

        var error = await Assert.ThrowsAsync<ImageImportException>(() => Store.PullAsync($"docker://{registry.Host}/busybox:1.36", new RegistryPullOptions()));

        Assert.StartsWith($"registry {registry.Host}: no TLS connection: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("a registry on plain HTTP needs --insecure, one whose certificate a private CA signed --ca-file", error.Message, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task Tls_with_the_registrys_ca_and_htpasswd_credentials_pulls_and_wrong_or_missing_ones_are_refused_in_one_line()
    {
        var registry = await TestRegistry.Start(new TestRegistryOptions(Tls: true) { Users = new Dictionary<string, string> { ["alice"] = "s3cret" } });
        started.Add(registry);
        await registry.Push(images.Source("1.36"), "team/busybox:1.36");
        var reference = $"docker://{registry.Host}/team/busybox:1.36";
        var ca = await File.ReadAllTextAsync(registry.CaFile!);

        var untrusted = await Assert.ThrowsAsync<ImageImportException>(() => Store.PullAsync(reference, new RegistryPullOptions { Credentials = new("alice", "s3cret") }));
        var anonymous = await Assert.ThrowsAsync<ImageImportException>(() => Store.PullAsync(reference, new RegistryPullOptions { CaCertificatesPem = ca }));
        var wrong = await Assert.ThrowsAsync<ImageImportException>(() => Store.PullAsync(reference, new RegistryPullOptions { CaCertificatesPem = ca, Credentials = new("alice", "guess") }));
        var image = await Store.PullAsync(reference, new RegistryPullOptions { CaCertificatesPem = ca, Credentials = new("alice", "s3cret") });

        Assert.Contains("no TLS connection", untrusted.Message, StringComparison.Ordinal);
        Assert.Equal($"registry {registry.Host} wants credentials for team/busybox: log in with 'docker login', or name a docker config with --creds-file", anonymous.Message);
        Assert.Equal($"registry {registry.Host} refused the credentials of 'alice' for team/busybox (401 Unauthorized): check the user name and password", wrong.Message);
        Assert.DoesNotContain("guess", wrong.Message, StringComparison.Ordinal);
        Assert.Equal(images.ManifestDigest("1.36").Replace(':', '-'), image.Digest);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task Bearer_tokens_are_asked_for_with_the_credentials_and_a_wrong_password_is_refused()
    {
        using var issuer = new TestTokenIssuer(new Dictionary<string, string> { ["bob"] = "hunter2" });
        var registry = await TestRegistry.Start(new TestRegistryOptions(Tokens: issuer) { Users = issuer.Users });
        started.Add(registry);
        await registry.Push(images.Source("1.36"), "busybox:1.36");
        var reference = $"docker://{registry.Host}/busybox:1.36";

        var wrong = await Assert.ThrowsAsync<ImageImportException>(() => Store.PullAsync(reference, new RegistryPullOptions { Insecure = true, Credentials = new("bob", "hunter3") }));
        var anonymous = await Assert.ThrowsAsync<ImageImportException>(() => Store.PullAsync(reference, Insecure));
        var image = await Store.PullAsync(reference, new RegistryPullOptions { Insecure = true, Credentials = new("bob", "hunter2") });

        Assert.Equal($"registry {registry.Host} refused the credentials of 'bob' for busybox (401 Unauthorized): check the user name and password", wrong.Message);
        Assert.StartsWith($"registry {registry.Host} wants credentials for busybox", anonymous.Message, StringComparison.Ordinal);
        Assert.Equal(images.ManifestDigest("1.36").Replace(':', '-'), image.Digest);
        Assert.Contains("bob repository:busybox:pull", issuer.Requests);
    }

    [RequiresFact(Requires.Root | Requires.Registry)]
    public async Task A_mirror_is_tried_first_without_the_callers_credentials_and_the_registry_when_the_mirror_lacks_the_image()
    {
        var mirrored = await Registry("busybox:1.36");
        using var mirror = new RegistryProxy(mirrored.Host);
        var origin = await Registry("busybox:2.0", push: "2.0");
        using var registry = new RegistryProxy(origin.Host);
        var options = new RegistryPullOptions
        {
            Insecure = true,
            Credentials = new("carol", "not-for-mirrors"),
            Mirrors = new Dictionary<string, IReadOnlyList<Uri>> { [registry.Host] = [new Uri($"http://{mirror.Host}")] },
        };

        var fromMirror = await Store.PullAsync($"docker://{registry.Host}/busybox:1.36", options);
        Assert.Empty(registry.Requests);
        var fromRegistry = await Store.PullAsync($"docker://{registry.Host}/busybox:2.0", options);

        Assert.Equal(images.ManifestDigest("1.36").Replace(':', '-'), fromMirror.Digest);
        Assert.Equal(images.ManifestDigest("2.0").Replace(':', '-'), fromRegistry.Digest);
        Assert.Contains(mirror.Requests, r => r.Contains("/manifests/2.0", StringComparison.Ordinal));
        Assert.All(mirror.Requests, r => Assert.EndsWith("auth=no", r, StringComparison.Ordinal));
        Assert.NotEmpty(registry.Requests);
    }

    // The one blob of busybox:2.0 not shared with 1.36: its config, named in its manifest.
    private string ConfigOf20() =>
        System.Text.Json.Nodes.JsonNode.Parse(Store.ReadManifest(images.ManifestDigest("2.0").Replace(':', '-')))!["config"]!["digest"]!.GetValue<string>();

    private async Task<TestRegistry> Registry(string repositoryAndTag, string push = "1.36")
    {
        var registry = await TestRegistry.Start();
        started.Add(registry);
        await registry.Push(images.Source(push), repositoryAndTag);
        return registry;
    }

    private sealed class Recorder(ConcurrentBag<ImageDownloadProgress> seen) : IProgress<ImageDownloadProgress>
    {
        public void Report(ImageDownloadProgress value) => seen.Add(value);
    }
}
