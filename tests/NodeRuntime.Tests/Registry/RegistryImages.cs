using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FleetPods.NodeRuntime.Tests.Registry;

/// <summary>
/// Images to push into test registries, made by umoci (the repository's busybox script): <c>1.36</c>; <c>2.0</c>,
/// the same layers under another config; <c>arm</c>, an arm64 config of them; and <c>multi</c>, an OCI index of
/// <c>arm</c> (linux/arm64, listed first) and <c>1.36</c> (linux/amd64), for <c>skopeo copy --all</c>.
/// </summary>
public sealed class RegistryImages : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-registry-images-").FullName;

    public RegistryImages()
    {
        TestFiles.Run(RepositoryRoot.Combine("deploy/examples/make-busybox-oci.sh"), directory);
        TestFiles.Run("umoci", "config", "--image", $"{Layout}:1.36", "--tag", "2.0", "--config.env", "RELEASE=2.0");
        TestFiles.Run("umoci", "config", "--image", $"{Layout}:1.36", "--tag", "arm", "--architecture", "arm64");
        AddIndex();
    }

    public string Layout => Path.Combine(directory, "busybox-oci");

    /// <summary>skopeo's name for one of the layout's images.</summary>
    public string Source(string tag) => $"oci:{Layout}:{tag}";

    /// <summary>The manifest digest of a tag, as OCI writes it (sha256:…).</summary>
    public string ManifestDigest(string tag) => Descriptor(tag)["digest"]!.GetValue<string>();

    /// <summary>The layers' digests, as OCI writes them, bottom first.</summary>
    public IReadOnlyList<string> LayerDigests(string tag)
    {
        var digest = ManifestDigest(tag);
        var manifest = JsonNode.Parse(File.ReadAllBytes(Path.Combine(Layout, "blobs", "sha256", digest["sha256:".Length..])))!;
        return [.. manifest["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>())];
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private JsonNode Descriptor(string tag) =>
        JsonNode.Parse(File.ReadAllBytes(Path.Combine(Layout, "index.json")))!["manifests"]!.AsArray()
            .Single(m => m!["annotations"]?["org.opencontainers.image.ref.name"]?.GetValue<string>() == tag)!;

    private void AddIndex()
    {
        JsonObject Entry(string tag, string architecture) => new()
        {
            ["mediaType"] = Descriptor(tag)["mediaType"]!.GetValue<string>(),
            ["digest"] = ManifestDigest(tag),
            ["size"] = Descriptor(tag)["size"]!.GetValue<long>(),
            ["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = architecture },
        };
        var index = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(Entry("arm", "arm64"), Entry("1.36", "amd64")),
        });
        var hex = Convert.ToHexStringLower(SHA256.HashData(index));
        File.WriteAllBytes(Path.Combine(Layout, "blobs", "sha256", hex), index);
        var layoutIndex = JsonNode.Parse(File.ReadAllBytes(Path.Combine(Layout, "index.json")))!;
        layoutIndex["manifests"]!.AsArray().Add(new JsonObject
        {
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["digest"] = $"sha256:{hex}",
            ["size"] = index.Length,
            ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = "multi" },
        });
        File.WriteAllBytes(Path.Combine(Layout, "index.json"), JsonSerializer.SerializeToUtf8Bytes(layoutIndex));
    }
}
