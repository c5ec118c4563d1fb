using System.Net;

namespace FleetPods.NodeRuntime.Images.Trust;

/// <summary>
/// The check an image fetched over the network passes before it is imported: it is an ACI, its detached signature
/// (fetched from where rkt fetched it: the image's URL with <c>.asc</c>, or where discovery says) is by a key trusted
/// for the name in its manifest, and matches its bytes.
/// </summary>
internal static class SignedAci
{
    /// <summary>Checks the downloaded <paramref name="file"/>; returns its manifest, whose name the signature vouched for.</summary>
    /// <param name="publisherKeys">Where discovery says the publisher lists its keys, for the refusal to point at.</param>
    /// <exception cref="ImageImportException">Not an ACI, unsigned, signed by a key not trusted for its name, or its bytes do not match the signature.</exception>
    public static async Task<AciManifest> CheckAsync(
        HttpClient http, string file, Uri image, Uri signature, IReadOnlyList<TrustedSigningKey> keys, IReadOnlyList<string> publisherKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(signature);
        var what = image.ToString();
        if (ImageSourceKinds.Detect(file, what) != ImageSourceKind.Aci)
        {
            throw new ImageImportException(
                $"{what}: only an ACI carries a signature FleetPods checks, and this is not one; fetch it with --insecure-options=image, import it, or pull it from a registry (docker://)");
        }

        var manifest = AciArchiveManifest.Read(file, what);
        var listed = publisherKeys.Count > 0 ? $" (its publisher lists its keys at {string.Join(", ", publisherKeys)})" : "";
        var signatureFile = await DownloadAsync(http, signature, cancellationToken) ?? throw new ImageImportException(
            $"{what}: unsigned: no signature at {signature}; an image fetched over the network must be signed by a key trusted for {manifest.Name} ('fleetpods trust --prefix PREFIX KEY.asc'), or fetched with --insecure-options=image");
        await DetachedSignature.VerifyAsync(file, signatureFile, manifest.Name, keys, what, listed, cancellationToken);
        return manifest;
    }

    private static async Task<byte[]?> DownloadAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ImageImportException($"{url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var bytes = new MemoryStream();
            var buffer = new byte[8192];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (bytes.Length + read > DetachedSignature.MaxSignatureBytes)
                {
                    throw new ImageImportException($"{url}: larger than {DetachedSignature.MaxSignatureBytes} bytes: not a signature");
                }

                bytes.Write(buffer, 0, read);
            }

            return bytes.ToArray();
        }
        catch (Exception ex) when (ex is HttpRequestException or HttpIOException)
        {
            throw new ImageImportException($"cannot fetch the signature {url}: {ex.Message}", ex);
        }
    }

    /// <summary>Where rkt looked for an image's signature: its URL's path with <c>.asc</c> added.</summary>
    public static Uri SignatureBeside(Uri image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new UriBuilder(image) { Path = image.AbsolutePath + ".asc" }.Uri;
    }
}
