using Org.BouncyCastle.Bcpg.OpenPgp;

namespace FleetPods.NodeRuntime.Images.Trust;

/// <summary>
/// Checks an image file against its detached OpenPGP signature (what <c>gpg --armor --detach-sign</c> writes, the
/// <c>.aci.asc</c> rkt fetched beside an ACI) with BouncyCastle, against the trusted keys whose prefix covers the
/// image's name. The one place FleetPods decides whether a signed image is trusted.
/// </summary>
internal static class DetachedSignature
{
    /// <summary>The largest signature file read (one signature is a few hundred bytes).</summary>
    public const int MaxSignatureBytes = 64 * 1024;

    /// <summary>Verifies the file and returns the fingerprint of the trusted key that signed it.</summary>
    /// <param name="what">The image as errors name it (its URL).</param>
    /// <param name="keysHint">Words a refusal for an untrusted key adds after the key, e.g. where the publisher lists its keys.</param>
    /// <exception cref="ImageImportException">The signature is not one, is by no key trusted for the name, or does not match the file's bytes.</exception>
    public static async Task<string> VerifyAsync(
        string file, byte[] signatureFile, string imageName, IReadOnlyList<TrustedSigningKey> keys, string what, string keysHint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var signatures = ReadSignatures(signatureFile, what);
        var rings = keys.Select(k => (Key: k, Ring: TryRead(k))).Where(k => k.Ring is not null).ToList();
        foreach (var signature in signatures)
        {
            var ring = rings.Where(r => r.Key.Covers(imageName)).Select(r => r.Ring!).FirstOrDefault(r => r.GetPublicKey(signature.KeyId) is not null);
            if (ring is null)
            {
                continue;
            }

            var signer = ring.GetPublicKey(signature.KeyId);
            var primary = ring.GetPublicKey();
            var fingerprint = OpenPgpPublicKey.FingerprintOf(primary);
            if (primary.HasRevocation() || signer.HasRevocation())
            {
                throw new ImageImportException($"{what}: signed by key {fingerprint}, which is revoked");
            }

            if (signature.SignatureType != PgpSignature.BinaryDocument)
            {
                throw new ImageImportException($"{what}: the signature by key {fingerprint} is not a signature of a file (type {signature.SignatureType})");
            }

            if (ExpiredAt(signer, signature.CreationTime) || ExpiredAt(primary, signature.CreationTime))
            {
                throw new ImageImportException($"{what}: signed by key {fingerprint} after that key expired");
            }

            if (!await MatchesAsync(signature, signer, file, cancellationToken))
            {
                throw new ImageImportException(
                    $"{what}: the signature by key {fingerprint} does not match the image's bytes (changed after it was signed, or signed over another file)");
            }

            return fingerprint;
        }

        var ids = string.Join(", ", signatures.Select(s => OpenPgpPublicKey.KeyIdOf(s.KeyId)).Distinct());
        var elsewhere = rings.Where(r => !r.Key.Covers(imageName) && signatures.Any(s => r.Ring!.GetPublicKey(s.KeyId) is not null))
            .Select(r => r.Key.Prefix).Distinct().ToList();
        var trustedOnly = elsewhere.Count > 0 ? $" (it is trusted only for {string.Join(", ", elsewhere)})" : "";
        throw new ImageImportException(
            $"{what}: signed by key {ids}{keysHint}, which is not trusted for {imageName}{trustedOnly}; an admin trusts a key with 'fleetpods trust --prefix PREFIX KEY.asc', or fetch with --insecure-options=image");
    }

    private static List<PgpSignature> ReadSignatures(byte[] signatureFile, string what)
    {
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(signatureFile));
            var item = new PgpObjectFactory(input).NextPgpObject();
            if (item is PgpCompressedData compressed)
            {
                item = new PgpObjectFactory(compressed.GetDataStream()).NextPgpObject();
            }

            return item is PgpSignatureList { Count: > 0 } list
                ? [.. Enumerable.Range(0, list.Count).Select(i => list[i])]
                : throw new ImageImportException($"{what}: its signature file holds no OpenPGP signature");
        }
        catch (Exception ex) when (ex is not (ImageImportException or OutOfMemoryException))
        {
            // Bytes from the network: BouncyCastle throws a variety of types (packet versions, casts, I/O) at garbage.
            throw new ImageImportException($"{what}: its signature file is not an OpenPGP signature: {ex.Message}", ex);
        }
    }

    private static async Task<bool> MatchesAsync(PgpSignature signature, PgpPublicKey key, string file, CancellationToken cancellationToken)
    {
        try
        {
            signature.InitVerify(key);
            await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
            {
                signature.Update(buffer, 0, read);
            }

            return signature.Verify();
        }
        catch (PgpException)
        {
            // A key of an algorithm the signature cannot be checked with: not a match.
            return false;
        }
    }

    private static bool ExpiredAt(PgpPublicKey key, DateTime signedAt) =>
        key.GetValidSeconds() is > 0 and var seconds && key.CreationTime.AddSeconds(seconds) < signedAt;

    // A stored key that cannot be read (a .NET client may store anything) trusts nothing.
    private static PgpPublicKeyRing? TryRead(TrustedSigningKey key)
    {
        try
        {
            return OpenPgpPublicKey.ReadRing(key.ArmoredKey);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
