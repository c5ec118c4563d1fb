namespace FleetPods.NodeRuntime.Tests;

/// <summary>
/// The busybox image as umoci and skopeo write it (by the repository's script): an OCI layout, a tar of it and a
/// docker archive, two layers each, the second with whiteouts.
/// </summary>
public sealed class BusyboxOciImages : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-oci-").FullName;

    public BusyboxOciImages() => TestFiles.Run(RepositoryRootScript, directory);

    public string Layout => Path.Combine(directory, "busybox-oci");

    public string LayoutTar => Path.Combine(directory, "busybox-oci.tar");

    public string DockerArchive => Path.Combine(directory, "busybox-docker.tar");

    /// <summary>The manifest digest umoci recorded in index.json, as appc writes digests.</summary>
    public string ManifestDigest
    {
        get
        {
            using var index = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Layout, "index.json")));
            return index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!.Replace(':', '-');
        }
    }

    private static string RepositoryRootScript => FleetPods.Tests.RepositoryRoot.Combine("deploy/examples/make-busybox-oci.sh");

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
