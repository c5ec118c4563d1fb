namespace FleetPods.NodeRuntime.Images.Trust;

/// <summary>
/// An OpenPGP public key (ASCII-armored) trusted to sign the images whose names lie under <paramref name="Prefix"/>,
/// as rkt's <c>trust --prefix</c>; the empty prefix is rkt's <c>--root</c>: every name.
/// </summary>
public sealed record TrustedSigningKey(string Prefix, string ArmoredKey)
{
    /// <summary>
    /// Whether this key's prefix covers <paramref name="imageName"/>: the name itself or a name below it, by whole path
    /// components (<c>example.com/app</c> covers <c>example.com/app/web</c>, not <c>example.com/application</c>).
    /// </summary>
    public bool Covers(string imageName)
    {
        ArgumentNullException.ThrowIfNull(imageName);
        return Prefix.Length == 0 || imageName == Prefix || (imageName.StartsWith(Prefix, StringComparison.Ordinal) && imageName[Prefix.Length] == '/');
    }
}
