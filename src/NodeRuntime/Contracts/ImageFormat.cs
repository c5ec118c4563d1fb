namespace FleetPods.NodeRuntime;

/// <summary>The kind of archive an image came from.</summary>
public enum ImageFormat
{
    /// <summary>An AppC image: <c>manifest</c> and <c>rootfs/</c> in a tar, addressed by the sha512 of the archive.</summary>
    Aci,

    /// <summary>An OCI image layout, addressed by the sha256 of its manifest.</summary>
    Oci,

    /// <summary>What <c>docker save</c> writes, addressed by the sha256 of its config (docker's image id).</summary>
    DockerArchive,
}
