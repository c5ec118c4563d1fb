using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// A content address: <c>sha256</c> or <c>sha512</c> and its lowercase hex. Written as appc writes it
/// (<c>sha256-…</c>) in ids and store paths; OCI writes <c>sha256:…</c>. Parsing accepts only exact hex of the
/// right length, so a digest is always safe to use as a file name.
/// </summary>
internal readonly record struct ContentDigest(string Algorithm, string Hex)
{
    public static ContentDigest Parse(string text, string what) =>
        TryParse(text, out var digest) ? digest : throw new ImageImportException($"{what}: '{text}' is not a sha256 or sha512 digest");

    public static bool TryParse(string? text, [NotNullWhen(true)] out ContentDigest digest)
    {
        digest = default;
        if (text is null)
        {
            return false;
        }

        var separator = text.IndexOfAny([':', '-']);
        if (separator < 0)
        {
            return false;
        }

        var algorithm = text[..separator];
        var hex = text[(separator + 1)..];
        var length = algorithm switch { "sha256" => 64, "sha512" => 128, _ => 0 };
        if (length == 0 || hex.Length != length || !hex.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }

        digest = new ContentDigest(algorithm, hex);
        return true;
    }

    public HashAlgorithmName HashAlgorithm => Algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;

    /// <summary>As OCI writes it: <c>sha256:…</c>.</summary>
    public string OciForm => $"{Algorithm}:{Hex}";

    public override string ToString() => $"{Algorithm}-{Hex}";
}
