namespace FleetPods.NodeRuntime.Tests;

/// <summary>Images made by real tools (umoci, skopeo, GNU tar) import and run as pods.</summary>
public sealed class ImageFormatTests(BusyboxOciImages oci, BusyboxAci aci) : IClassFixture<BusyboxOciImages>, IClassFixture<BusyboxAci>, IAsyncLifetime
{
    private readonly StoreHarness node = new();
    private readonly string scratch = Directory.CreateTempSubdirectory("fleetpods-formats-input-").FullName;

    private PodRuntime Runtime => node.Runtime;

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime: xunit 2 never calls IAsyncDisposable on a test class, and the store directory must go.
    public async Task DisposeAsync()
    {
        await node.DisposeAsync();
        Directory.Delete(scratch, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task An_oci_layout_made_by_umoci_imports_with_its_config_as_the_apps_defaults()
    {
        var image = await Runtime.Images.ImportAsync(oci.Layout);

        Assert.Equal(oci.ManifestDigest, image.Digest);
        Assert.Equal(ImageFormat.Oci, image.Format);
        Assert.Equal("busybox-oci", image.Name);
        Assert.Equal("1.36", image.Labels["version"]);
        Assert.Equal(2, image.Layers.Count);
        Assert.Equal(["/bin/sh", "-c", "echo hello from $GREETING in $(pwd)"], image.App!.Exec);
        Assert.Contains(KeyValuePair.Create("GREETING", "oci"), image.App.Environment);
        Assert.Equal("/srv", image.App.WorkingDirectory);
        Assert.Same(image, Runtime.Images.Find("busybox-oci:1.36"));
    }

    [RequiresFact(Requires.Root)]
    public async Task An_oci_image_runs_with_its_entrypoint_and_its_layers_whiteouts_applied()
    {
        var image = await Runtime.Images.ImportAsync(oci.Layout);

        Assert.Equal("hello from oci in /srv\n", await RunToEnd(image.Digest));
        var listing = await RunToEnd(image.Digest, "/bin/sh", "-c", "ls /srv/data; cat /etc/issue; test -e /etc/motd || echo motd deleted");
        Assert.Equal("new\nsecond layer\nmotd deleted\n", listing);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_tar_of_the_layout_is_the_same_image_as_the_layout()
    {
        var image = await Runtime.Images.ImportAsync(oci.LayoutTar);

        Assert.Equal(oci.ManifestDigest, image.Digest);
        Assert.Equal("busybox-oci", image.Name);
        Assert.Equal("hello from oci in /srv\n", await RunToEnd(image.Digest));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_docker_archive_made_by_skopeo_imports_under_its_config_digest_and_repo_tag_and_runs()
    {
        var image = await Runtime.Images.ImportAsync(oci.DockerArchive);

        var configFile = TestFiles.Run("tar", "-tf", oci.DockerArchive).Split('\n').Single(f => f.EndsWith(".json", StringComparison.Ordinal) && !f.Contains('/', StringComparison.Ordinal) && f != "manifest.json");
        Assert.Equal("sha256-" + Path.GetFileNameWithoutExtension(configFile), image.Digest);
        Assert.Equal(ImageFormat.DockerArchive, image.Format);
        Assert.Same(image, Runtime.Images.Find("busybox:1.36"));
        Assert.Equal("hello from oci in /srv\n", await RunToEnd(image.Digest));
        Assert.Equal("new\n", await RunToEnd(image.Digest, "/bin/ls", "/srv/data"));
    }

    [RequiresTheory(Requires.Root)]
    [InlineData("-cf", "plain")]
    [InlineData("-czf", "gzip")]
    [InlineData("-cjf", "bzip2")]
    [InlineData("-cJf", "xz")]
    public async Task An_aci_imports_from_every_compression_appc_allows(string tarFlags, string compression)
    {
        var tree = Path.Combine(scratch, "aci-" + compression);
        Directory.CreateDirectory(tree);
        TestFiles.Run("tar", "-xzf", aci.Path, "-C", tree);
        var archive = Path.Combine(scratch, $"busybox-{compression}.aci");
        TestFiles.Run("tar", tarFlags, archive, "-C", tree, "manifest", "rootfs");

        var image = await Runtime.Images.ImportAsync(archive);

        Assert.Equal("sha512-" + TestFiles.Run("sha512sum", archive).Split(' ')[0], image.Digest);
        Assert.Equal("hello from busybox\n", await RunToEnd(image.Digest));
    }

    [RequiresFact(Requires.Root)]
    public async Task An_aci_stacks_on_its_dependencies_from_the_store_and_shows_only_its_path_whitelist()
    {
        await Runtime.Images.ImportAsync(aci.Path);
        var app = Aci("example.com/greeting", """
            "dependencies": [{"imageName": "example.com/busybox", "labels": [{"name": "version", "value": "1.36"}]}],
            "pathWhitelist": ["/bin/busybox", "/bin/sh", "/bin/ls", "/bin/cat", "/etc/greeting"]
            """, ("etc/greeting", "hello from a dependent image\n"));

        var image = await Runtime.Images.ImportAsync(app);

        Assert.Equal(2, image.Layers.Count);
        Assert.Equal("hello from a dependent image\n", await RunToEnd(image.Digest, "/bin/cat", "/etc/greeting"));
        Assert.Equal("busybox\ncat\nls\nsh\n---\ngreeting\n", await RunToEnd(image.Digest, "/bin/sh", "-c", "ls /bin; echo ---; ls /etc"));
    }

    [RequiresFact(Requires.Root)]
    public async Task An_aci_whose_dependency_is_not_in_the_store_is_refused_naming_it()
    {
        var app = Aci("example.com/orphan", """
            "dependencies": [{"imageName": "example.com/base", "labels": [{"name": "version", "value": "9"}]}]
            """, ("etc/x", "x"));

        var error = await Assert.ThrowsAsync<ImageImportException>(() => Runtime.Images.ImportAsync(app));

        Assert.Contains("dependency example.com/base,version=9 is not in this node's store", error.Message, StringComparison.Ordinal);
        Assert.Empty(Runtime.Images.List());
    }

    [RequiresFact(Requires.Root)]
    public async Task A_layer_blob_that_is_not_what_its_digest_names_is_refused_and_leaves_nothing()
    {
        var layout = CopyLayout();
        var layers = LayerBlobs(layout);
        File.Copy(layers[1], layers[0], overwrite: true);

        var error = await Assert.ThrowsAsync<ImageImportException>(() => Runtime.Images.ImportAsync(layout));

        Assert.True(error.Message.Contains("digest mismatch: expected sha256-" + Path.GetFileName(layers[0]), StringComparison.Ordinal), error.Message);
        Assert.Empty(Runtime.Images.List());
        TestFiles.AssertStoreHoldsNothing(node.ImagesDirectory);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pinned_digest_that_does_not_match_is_refused()
    {
        var error = await Assert.ThrowsAsync<ImageImportException>(() =>
            Runtime.Images.ImportAsync(oci.Layout, new ImageImportOptions { ExpectedDigest = "sha256-" + new string('0', 64) }));

        Assert.Contains($"the image is {oci.ManifestDigest}, not the pinned sha256-000", error.Message, StringComparison.Ordinal);
        var pinned = await Runtime.Images.ImportAsync(oci.Layout, new ImageImportOptions { ExpectedDigest = oci.ManifestDigest.Replace('-', ':') });
        Assert.Equal(oci.ManifestDigest, pinned.Digest);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_layout_with_several_images_needs_a_ref_and_names_the_ones_it_has()
    {
        var error = await Assert.ThrowsAsync<ImageImportException>(() => Runtime.Images.ImportAsync(oci.Layout, new ImageImportOptions { Reference = "2.0" }));

        Assert.Contains("no image with ref name '2.0' (it has: 1.36)", error.Message, StringComparison.Ordinal);
    }

    private Task<string> RunToEnd(string image, params string[] exec) => node.RunToEnd(image, exec);

    private string Aci(string name, string extraManifest, params (string Path, string Content)[] files)
    {
        var tree = Path.Combine(scratch, name.Replace('/', '_'));
        foreach (var (path, content) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(tree, "rootfs", path))!);
            File.WriteAllText(Path.Combine(tree, "rootfs", path), content);
        }

        File.WriteAllText(Path.Combine(tree, "manifest"), $$"""{"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "{{name}}", {{extraManifest}}}""");
        var archive = tree + ".aci";
        TestFiles.Run("tar", "-czf", archive, "-C", tree, "manifest", "rootfs");
        return archive;
    }

    private string CopyLayout()
    {
        var copy = Path.Combine(scratch, "layout");
        TestFiles.Run("cp", "-a", oci.Layout, copy);
        return copy;
    }

    // The manifest's layers, bottom first.
    private static string[] LayerBlobs(string layout)
    {
        using var index = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        var manifestPath = Blob(layout, index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!);
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(manifestPath));
        return [.. manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => Blob(layout, l.GetProperty("digest").GetString()!))];
    }

    private static string Blob(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
}
