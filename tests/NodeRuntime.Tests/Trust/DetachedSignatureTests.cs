using FleetPods.NodeRuntime.Images.Trust;

namespace FleetPods.NodeRuntime.Tests.Trust;

/// <summary>
/// The verifier against real gpg keys and signatures: which key, for which prefix, over which bytes. No store: the
/// signature check alone, as every network fetch runs it.
/// </summary>
public sealed class DetachedSignatureTests(SigningKeys keys) : IClassFixture<SigningKeys>, IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-sig-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [RequiresFact(Requires.Gpg)]
    public async Task A_signature_by_a_key_trusted_for_a_prefix_of_the_name_is_accepted_and_names_the_key()
    {
        var (file, signature) = Signed(keys.Alice);

        var signer = await DetachedSignature.VerifyAsync(file, signature, "example.com/app/web", [Trusted("example.com/app", keys.Alice)], "test.aci", "", default);

        Assert.Equal(keys.Alice, signer);
    }

    [RequiresFact(Requires.Gpg)]
    public async Task A_root_key_covers_every_name()
    {
        var (file, signature) = Signed(keys.Alice);

        Assert.Equal(keys.Alice, await DetachedSignature.VerifyAsync(file, signature, "other.org/tool", [Trusted("", keys.Alice)], "test.aci", "", default));
    }

    [RequiresFact(Requires.Gpg)]
    public async Task A_signature_by_an_untrusted_key_is_refused_naming_its_key_id_and_the_name()
    {
        var (file, signature) = Signed(keys.Mallory);

        var error = await Assert.ThrowsAsync<ImageImportException>(() =>
            DetachedSignature.VerifyAsync(file, signature, "example.com/app", [Trusted("example.com/app", keys.Alice)], "test.aci", "", default));

        Assert.Contains($"signed by key {keys.Mallory[^16..]}, which is not trusted for example.com/app;", error.Message, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Gpg)]
    public async Task A_key_trusted_only_for_another_prefix_does_not_count_and_the_error_says_where_it_is_trusted()
    {
        var (file, signature) = Signed(keys.Alice);
        TrustedSigningKey[] trusted = [Trusted("example.com/other", keys.Alice), Trusted("example.com/application", keys.Alice)];

        var error = await Assert.ThrowsAsync<ImageImportException>(() => DetachedSignature.VerifyAsync(file, signature, "example.com/app", trusted, "test.aci", "", default));

        Assert.Contains("which is not trusted for example.com/app (it is trusted only for example.com/other, example.com/application)", error.Message, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Gpg)]
    public async Task A_changed_byte_fails_the_signature_of_a_trusted_key()
    {
        var (file, signature) = Signed(keys.Alice);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 1;
        await File.WriteAllBytesAsync(file, bytes);

        var error = await Assert.ThrowsAsync<ImageImportException>(() =>
            DetachedSignature.VerifyAsync(file, signature, "example.com/app", [Trusted("example.com/app", keys.Alice)], "test.aci", "", default));

        Assert.Contains($"the signature by key {keys.Alice} does not match the image's bytes", error.Message, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Gpg)]
    public async Task A_file_that_is_not_a_signature_is_refused()
    {
        var (file, _) = Signed(keys.Alice);

        var error = await Assert.ThrowsAsync<ImageImportException>(() =>
            DetachedSignature.VerifyAsync(file, "-----BEGIN PGP SIGNATURE-----\n\nnonsense\n-----END PGP SIGNATURE-----\n"u8.ToArray(), "example.com/app", [Trusted("example.com/app", keys.Alice)], "test.aci", "", default));

        Assert.StartsWith("test.aci: its signature file", error.Message, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Gpg)]
    public void An_armored_public_key_is_read_with_its_fingerprint_and_user_id_and_a_private_key_is_refused()
    {
        var key = OpenPgpPublicKey.Read(keys.Gpg.ExportPublic(keys.Alice));
        var secret = Assert.Throws<FormatException>(() => OpenPgpPublicKey.Read(keys.Gpg.ExportSecret(keys.Alice)));
        var two = Assert.Throws<FormatException>(() => OpenPgpPublicKey.Read(keys.Gpg.ExportPublic(keys.Alice) + keys.Gpg.ExportPublic(keys.Mallory)));

        Assert.Equal(keys.Alice, key.Fingerprint);
        Assert.Equal(["Alice <alice@example.com>"], key.UserIds);
        Assert.Contains("private key", secret.Message, StringComparison.Ordinal);
        Assert.Contains("holds 2 keys", two.Message, StringComparison.Ordinal);
    }

    private TrustedSigningKey Trusted(string prefix, string fingerprint) => new(prefix, keys.Gpg.ExportPublic(fingerprint));

    private (string File, byte[] Signature) Signed(string fingerprint)
    {
        var file = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".aci");
        TestAci.Write(file, "example.com/app");
        return (file, File.ReadAllBytes(keys.Gpg.Sign(fingerprint, file)));
    }
}
