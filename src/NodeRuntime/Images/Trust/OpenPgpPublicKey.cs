using System.Globalization;
using System.Text;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace FleetPods.NodeRuntime.Images.Trust;

/// <summary>
/// One OpenPGP public key as an admin hands it to <c>fleetpods trust</c>: ASCII-armored, one primary key (with its
/// subkeys), not revoked. Read by BouncyCastle; its fingerprint is what the cluster keys it by.
/// </summary>
public sealed record OpenPgpPublicKey(string Fingerprint, string KeyId, IReadOnlyList<string> UserIds)
{
    /// <summary>The longest armored key accepted (a 4096-bit RSA key with a few user ids is about 3 KiB).</summary>
    public const int MaxArmoredChars = 64 * 1024;

    private const string PublicBlock = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

    /// <summary>Reads the key, or says in one line why it is not one.</summary>
    /// <exception cref="FormatException">Not exactly one usable armored public key.</exception>
    public static OpenPgpPublicKey Read(string armored)
    {
        var ring = ReadRing(armored);
        var primary = ring.GetPublicKey();
        if (primary.HasRevocation())
        {
            throw new FormatException($"key {FingerprintOf(primary)} is revoked");
        }

        return new OpenPgpPublicKey(FingerprintOf(primary), KeyIdOf(primary.KeyId), [.. primary.GetUserIds()]);
    }

    /// <summary>The key ring of an armored key that <see cref="Read"/> would accept.</summary>
    internal static PgpPublicKeyRing ReadRing(string armored)
    {
        ArgumentNullException.ThrowIfNull(armored);
        if (armored.Length > MaxArmoredChars)
        {
            throw new FormatException($"larger than {MaxArmoredChars} characters: not one public key");
        }

        if (armored.Contains("PRIVATE KEY BLOCK", StringComparison.Ordinal))
        {
            throw new FormatException("this is a private key: give the public one (gpg --armor --export ID)");
        }

        if (!armored.Contains(PublicBlock, StringComparison.Ordinal))
        {
            throw new FormatException("not an ASCII-armored OpenPGP public key (gpg --armor --export ID writes one)");
        }

        // The armor reader stops after the first block, so further blocks are counted here.
        if (armored.Split(PublicBlock).Length - 1 is > 1 and var blocks)
        {
            throw new FormatException($"holds {blocks} keys: trust one at a time");
        }

        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.ASCII.GetBytes(armored)));
            var rings = new PgpPublicKeyRingBundle(input).GetKeyRings().ToList();
            return rings.Count switch
            {
                1 => rings[0],
                0 => throw new FormatException("holds no public key"),
                _ => throw new FormatException($"holds {rings.Count} keys: trust one at a time"),
            };
        }
        catch (Exception ex) when (ex is not (FormatException or OutOfMemoryException))
        {
            // A caller's bytes: BouncyCastle throws a variety of types (packet versions, casts, I/O) at garbage.
            throw new FormatException($"not a readable OpenPGP public key: {ex.Message}", ex);
        }
    }

    /// <summary>A key's fingerprint as gpg prints it without spaces: upper-case hex.</summary>
    internal static string FingerprintOf(PgpPublicKey key) => Convert.ToHexString(key.GetFingerprint());

    /// <summary>A key id as gpg's long form: 16 upper-case hex digits.</summary>
    internal static string KeyIdOf(long keyId) => keyId.ToString("X16", CultureInfo.InvariantCulture);
}
