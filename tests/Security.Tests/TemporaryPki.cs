namespace FleetPods.Security.Tests;

/// <summary>A PKI directory of a test's own under /tmp, with a CA made in it, removed afterwards.</summary>
internal sealed class TemporaryPki : IDisposable
{
    private readonly string root = System.IO.Directory.CreateTempSubdirectory("fleetpods-pki-").FullName;

    public TemporaryPki(bool withAuthority = true)
    {
        Directory = new PkiDirectory(Path.Combine(root, "pki"));
        if (withAuthority)
        {
            // A month old, so a test can issue a certificate that has already expired.
            Directory.CreateAuthority(DateTimeOffset.UtcNow.AddDays(-30));
        }
    }

    public PkiDirectory Directory { get; }

    public string Root => root;

    public void Dispose() => System.IO.Directory.Delete(root, recursive: true);
}
