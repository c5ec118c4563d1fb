namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Blobs by content address: <c>blobs/sha256/&lt;hex&gt;</c>, <c>blobs/sha512/&lt;hex&gt;</c>. A blob is written to a
/// temporary name and renamed into place only after its digest was verified, so every file under a digest's
/// name holds exactly that content.
/// </summary>
internal sealed class BlobStore
{
    private const string TemporaryPrefix = ".tmp-";
    private readonly string root;

    public BlobStore(string root)
    {
        this.root = root;
        Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var leftover in Directory.GetFiles(root, TemporaryPrefix + "*"))
        {
            File.Delete(leftover);
        }
    }

    public string PathOf(ContentDigest digest) => Path.Combine(root, digest.Algorithm, digest.Hex);

    public bool Contains(ContentDigest digest) => File.Exists(PathOf(digest));

    public long SizeOf(ContentDigest digest) => new FileInfo(PathOf(digest)).Length;

    public string NewTemporaryPath() => Path.Combine(root, TemporaryPrefix + Guid.NewGuid().ToString("N"));

    /// <summary>Moves a verified temporary file under its digest; an existing copy holds the same bytes.</summary>
    public void Commit(string temporaryPath, ContentDigest digest)
    {
        Directory.CreateDirectory(Path.Combine(root, digest.Algorithm));
        File.Move(temporaryPath, PathOf(digest), overwrite: true);
    }

    public IEnumerable<ContentDigest> List() =>
        from directory in Directory.EnumerateDirectories(root)
        from file in Directory.EnumerateFiles(directory)
        let text = Path.GetFileName(directory) + "-" + Path.GetFileName(file)
        where ContentDigest.TryParse(text, out _)
        select ContentDigest.Parse(text, "blob store");

    public void Delete(ContentDigest digest) => File.Delete(PathOf(digest));
}
