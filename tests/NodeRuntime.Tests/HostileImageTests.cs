namespace FleetPods.NodeRuntime.Tests;

/// <summary>
/// OCI layouts and docker archives with crafted layers or metadata (made with GNU tar and umoci from the busybox
/// image): each is refused with an error naming what is wrong, or neutralised, and leaves nothing in the store.
/// </summary>
public sealed class HostileImageTests(BusyboxOciImages oci, Conformance.SetuidProbe probe) : IClassFixture<BusyboxOciImages>, IClassFixture<Conformance.SetuidProbe>, IAsyncLifetime
{
    private readonly string scratch = Directory.CreateTempSubdirectory("fleetpods-hostile-input-").FullName;
    private StoreHarness node = new();

    private PodRuntime Runtime => node.Runtime;

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime: xunit 2 never calls IAsyncDisposable on a test class, and the store directory must go.
    public async Task DisposeAsync()
    {
        await node.DisposeAsync();
        Directory.Delete(scratch, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task An_opaque_directory_marker_hides_everything_the_lower_layers_had_there()
    {
        var layout = LayoutWithLayer("opaque", tree =>
        {
            Directory.CreateDirectory(Path.Combine(tree, "srv/data"));
            File.WriteAllText(Path.Combine(tree, "srv/data/fresh"), "fresh");
            File.WriteAllText(Path.Combine(tree, "srv/data/.wh..wh..opq"), "");
        });

        var image = await Runtime.Images.ImportAsync(layout);

        Assert.Equal(".\n..\nfresh\n", await node.RunToEnd(image.Digest, "/bin/ls", "-a1", "/srv/data"));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_whiteout_of_dot_dot_is_refused()
    {
        var layout = LayoutWithLayer("dotdot-whiteout", tree => File.WriteAllText(Path.Combine(tree, "etc/x"), ""), "--transform=s,etc/x,etc/.wh..,");

        await AssertRefused(layout, "entry 'etc/.wh..' is a whiteout of no file a layer can hold");
    }

    [RequiresFact(Requires.Root)]
    public async Task A_layer_entry_climbing_out_is_refused_and_the_host_is_untouched()
    {
        var victim = Path.Combine(scratch, "victim");
        var layout = LayoutWithLayer("climb", tree => File.WriteAllText(Path.Combine(tree, "etc/x"), "owned"), $"--transform=s,etc/x,../../../../../../..{victim},");

        await AssertRefused(layout, "climbs out with '..'");
        Assert.False(File.Exists(victim));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_directory_whited_out_and_replaced_by_a_symlink_is_not_written_through()
    {
        var victim = Directory.CreateDirectory(Path.Combine(scratch, "victim")).FullName;
        var parts = Path.Combine(scratch, "parts");
        Directory.CreateDirectory(Path.Combine(parts, "dir/a"));
        File.WriteAllText(Path.Combine(parts, "dir/a/y"), "an earlier file, so a/ has been walked through");
        File.WriteAllText(Path.Combine(parts, ".wh.a"), "");
        Directory.CreateSymbolicLink(Path.Combine(parts, "link"), victim);
        Directory.CreateDirectory(Path.Combine(parts, "file/a"));
        File.WriteAllText(Path.Combine(parts, "file/a/x"), "owned");
        var layer = Path.Combine(scratch, "replaced.tar");
        // One tar of four, in this order: a/, a/y, .wh.a, a -> victim, a/x; GNU tar appends archives with -A.
        TestFiles.Run("tar", "-cf", layer, "-C", Path.Combine(parts, "dir"), "a");
        foreach (var (name, transform) in new[] { (".wh.a", "s,^,,"), ("link", "s,^link$,a,"), ("file/a/x", "s,^file/,,") })
        {
            var part = Path.Combine(scratch, $"part-{Path.GetFileName(name)}.tar");
            TestFiles.Run("tar", "-cf", part, "-C", parts, $"--transform={transform}", name);
            TestFiles.Run("tar", "-Af", layer, part);
        }

        var layout = CopyLayout("replaced");
        TestFiles.Run("umoci", "raw", "add-layer", "--image", layout + ":1.36", layer);

        await AssertRefused(layout, "entry 'a/x' would be written through the symbolic link a");
        Assert.Empty(Directory.GetFileSystemEntries(victim));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_setuid_root_program_in_an_image_gives_a_private_users_pod_nothing()
    {
        var layout = LayoutWithLayer("setuid", tree =>
        {
            Directory.CreateDirectory(Path.Combine(tree, "bin"));
            TestFiles.Run("cp", "-a", Path.Combine(probe.Directory, "euid"), Path.Combine(tree, "bin/euid"));
        });
        var image = await Runtime.Images.ImportAsync(layout);
        var request = RuntimeHarness.Request(RuntimeHarness.NewPodId(), image.Digest, "/bin/sh", "-c", "ls -ln /bin/euid | cut -c1-10; /bin/euid")
            with { PrivateUsers = true, Network = PodNetworkMode.None };
        request = request with { App = request.App with { User = "nobody" } };

        // The setuid bit survives the import, and no_new_privs makes it grant nothing; root in the pod would be an
        // unprivileged host id anyway.
        Assert.Equal("-rwsr-xr-x\n65534\n", await node.RunToEnd(request));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_device_node_in_a_layer_is_left_out()
    {
        var layout = LayoutWithLayer("device", tree => TestFiles.Run("mknod", Path.Combine(tree, "etc/disk"), "b", "8", "0"));

        var image = await Runtime.Images.ImportAsync(layout);

        Assert.Equal("no disk\n", await node.RunToEnd(image.Digest, "/bin/sh", "-c", "test -e /etc/disk || echo no disk"));
    }

    [RequiresFact(Requires.Root)]
    public async Task Layers_that_together_expand_past_the_limit_are_refused()
    {
        var layout = LayoutWithLayer("big", tree => File.WriteAllBytes(Path.Combine(tree, "etc/big"), new byte[3 << 20]));
        await node.DisposeAsync();
        node = new StoreHarness(data => new NodeRuntimeOptions(data) { MaxImageSizeBytes = 4 << 20 });

        await AssertRefused(layout, "size limit");
    }

    [RequiresFact(Requires.Root)]
    public async Task An_index_whose_digest_is_a_path_is_refused()
    {
        var layout = CopyLayout("index-path");
        var index = Path.Combine(layout, "index.json");
        File.WriteAllText(index, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(index), "sha256:[0-9a-f]{64}", "sha256:../../../../etc/passwd"));

        await AssertRefused(layout, "'sha256:../../../../etc/passwd' is not a sha256 or sha512 digest");
    }

    [RequiresTheory(Requires.Root)]
    [InlineData("../../../../etc/passwd", "is not a path inside the archive")]
    [InlineData("escape/layer.tar", "is not a file in the archive")]
    public async Task A_docker_archive_naming_a_layer_outside_itself_is_refused(string layer, string problem)
    {
        var tree = Path.Combine(scratch, "docker");
        Directory.CreateDirectory(tree);
        TestFiles.Run("tar", "-xf", oci.DockerArchive, "-C", tree);
        Directory.CreateSymbolicLink(Path.Combine(tree, "escape"), "/etc");
        File.WriteAllText(Path.Combine(tree, "escape-target"), "");
        var manifest = Path.Combine(tree, "manifest.json");
        File.WriteAllText(manifest, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(manifest), "\"Layers\":\\[\"[^\"]+\"", $"\"Layers\":[\"{layer}\""));
        var archive = Path.Combine(scratch, "hostile-docker.tar");
        TestFiles.Run("tar", "-cf", archive, "-C", tree, ".");

        await AssertRefused(archive, problem);
    }

    private async Task AssertRefused(string input, string expected)
    {
        var error = await Assert.ThrowsAsync<ImageImportException>(() => Runtime.Images.ImportAsync(input));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), error.Message);
        Assert.Empty(Runtime.Images.List());
        TestFiles.AssertStoreHoldsNothing(node.ImagesDirectory);
    }

    private string CopyLayout(string name)
    {
        var copy = Path.Combine(scratch, name);
        TestFiles.Run("cp", "-a", oci.Layout, copy);
        return copy;
    }

    // The busybox layout plus one layer: GNU tar of what `fill` writes, added by umoci as a third layer.
    private string LayoutWithLayer(string name, Action<string> fill, params string[] tarOptions)
    {
        var layout = CopyLayout(name);
        var tree = Path.Combine(scratch, name + "-layer");
        Directory.CreateDirectory(Path.Combine(tree, "etc"));
        fill(tree);
        var layer = Path.Combine(scratch, name + ".tar");
        TestFiles.Run("tar", ["-cf", layer, "-C", tree, .. tarOptions, .. Directory.GetFileSystemEntries(tree).Select(Path.GetFileName).OfType<string>()]);
        TestFiles.Run("umoci", "raw", "add-layer", "--image", layout + ":1.36", layer);
        return layout;
    }
}
