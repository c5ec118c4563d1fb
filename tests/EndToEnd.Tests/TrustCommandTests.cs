using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// <c>fleetpods trust</c> and <c>fleetpods image fetch</c> through a real fleetpodsd, with real gpg keys and ACIs
/// signed by <c>gpg --armor --detach-sign</c> served with their <c>.asc</c> by a loopback HTTP server.
/// </summary>
public sealed class TrustCommandTests : IAsyncLifetime
{
    private readonly FleetPodsDaemon daemon = new("e2e-trust");
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-e2e-trust-").FullName;
    private TestGpg gpg = null!;
    private TestFileServer server = null!;

    public async Task InitializeAsync()
    {
        gpg = new TestGpg();
        server = await TestFileServer.Start();
        await daemon.Start();
    }

    public async Task DisposeAsync()
    {
        await daemon.DisposeAsync();
        await server.DisposeAsync();
        gpg.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task A_trusted_prefix_lets_its_signed_aci_in_and_refuses_others_until_the_key_is_removed()
    {
        var alice = gpg.NewKey("Alice <alice@example.com>");
        var mallory = gpg.NewKey("Mallory <mallory@example.net>");
        var key = Path.Combine(directory, "alice.asc");
        await File.WriteAllTextAsync(key, gpg.ExportPublic(alice));
        var secret = Path.Combine(directory, "alice-secret.asc");
        await File.WriteAllTextAsync(secret, gpg.ExportSecret(alice));
        var signed = Publish("app.aci", "example.com/app", "1.0", alice);
        var forged = Publish("forged.aci", "example.com/app", "6.6", mallory);
        var unsigned = Publish("plain.aci", "example.com/app", "2.0", signer: null);

        var refusedBefore = await daemon.Cli("image", "fetch", signed);
        var privateKey = await daemon.Cli("trust", "--prefix", "example.com/app", secret);
        var trusted = await daemon.Cli("trust", "--prefix", "example.com/app", key);
        var listed = await daemon.CliJson("trust", "list");
        var fetched = await daemon.CliJson("image", "fetch", signed);
        var wrongKey = await daemon.Cli("image", "fetch", forged);
        var noSignature = await daemon.Cli("image", "fetch", unsigned);
        var insecure = await daemon.CliJson("image", "fetch", unsigned, "--insecure-options=image");
        var removed = await daemon.Cli("trust", "rm", alice);
        var refusedAfter = await daemon.Cli("image", "fetch", signed, "--digest", fetched.GetProperty("digest").GetString()!);

        Assert.Equal(1, refusedBefore.ExitCode);
        Assert.Contains($"signed by key {alice[^16..]}, which is not trusted for example.com/app", refusedBefore.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, privateKey.ExitCode);
        Assert.Equal($"fleetpods: {secret}: this is a private key, and it was not sent; give the public one (gpg --armor --export ID)\n", privateKey.Stderr);
        Assert.True(trusted.ExitCode == 0, trusted.ToString());
        Assert.Equal($"trusted {alice} (Alice <alice@example.com>) for example.com/app\n", trusted.Stdout);
        var entry = Assert.Single(listed.EnumerateArray());
        Assert.Equal(("example.com/app", alice), (entry.GetProperty("prefix").GetString(), entry.GetProperty("fingerprint").GetString()));
        Assert.Equal("example.com/app", fetched.GetProperty("name").GetString());
        Assert.Equal(1, wrongKey.ExitCode);
        Assert.Equal(
            $"fleetpods: cannot fetch {forged} on node {daemon.NodeName}: {forged}: signed by key {mallory[^16..]}, which is not trusted for example.com/app; an admin trusts a key with 'fleetpods trust --prefix PREFIX KEY.asc', or fetch with --insecure-options=image\n",
            wrongKey.Stderr);
        Assert.Equal(1, noSignature.ExitCode);
        Assert.Contains($"{unsigned}: unsigned: no signature at {unsigned}.asc", noSignature.Stderr, StringComparison.Ordinal);
        Assert.Equal("2.0", insecure.GetProperty("labels").GetProperty("version").GetString());
        Assert.Equal(
            ["1.0", "2.0"],
            (await daemon.CliJson("image", "list")).GetProperty("images").EnumerateArray().Select(i => i.GetProperty("labels").GetProperty("version").GetString()).Order());
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal(1, refusedAfter.ExitCode);
        Assert.Contains("which is not trusted for example.com/app", refusedAfter.Stderr, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root | Requires.Gpg)]
    public async Task An_appc_name_is_discovered_over_https_with_the_ca_file_and_its_signed_aci_fetched()
    {
        await using var https = await TestFileServer.Start(tls: true);
        var host = $"localhost:{https.Port}";
        var alice = gpg.NewKey("Alice <alice@example.com>");
        var key = Path.Combine(directory, "alice.asc");
        await File.WriteAllTextAsync(key, gpg.ExportPublic(alice));
        var ca = Path.Combine(directory, "ca.pem");
        await File.WriteAllTextAsync(ca, https.Ca!.CertificatePem);
        https.Put("/app", System.Text.Encoding.UTF8.GetBytes(
            $"<html><head><meta name=\"ac-discovery\" content=\"{host}/app https://{host}/aci/app-{{version}}-{{os}}-{{arch}}.{{ext}}\"></head></html>"));
        var aci = Path.Combine(directory, "discovered.aci");
        TestAci.Write(aci, $"{host}/app", "1.0");
        https.Put("/aci/app-1.0-linux-amd64.aci", await File.ReadAllBytesAsync(aci));
        https.Put("/aci/app-1.0-linux-amd64.aci.asc", await File.ReadAllBytesAsync(gpg.Sign(alice, aci)));

        var untrusted = await daemon.Cli("image", "fetch", $"{host}/app:1.0", "--ca-file", ca);
        var trusted = await daemon.Cli("trust", "--prefix", $"{host}/app", key);
        var fetched = await daemon.Cli("image", "fetch", $"{host}/app:1.0", "--ca-file", ca, "--output", "json");

        Assert.Equal(1, untrusted.ExitCode);
        Assert.Contains($"signed by key {alice[^16..]}, which is not trusted for {host}/app", untrusted.Stderr, StringComparison.Ordinal);
        Assert.True(trusted.ExitCode == 0, trusted.ToString());
        Assert.True(fetched.ExitCode == 0, fetched.ToString());
        var image = JsonDocument.Parse(fetched.Stdout).RootElement;
        Assert.Equal(($"{host}/app", "1.0"), (image.GetProperty("name").GetString(), image.GetProperty("labels").GetProperty("version").GetString()));
        Assert.Contains("/app?ac-discovery=1", https.Requests);
    }

    // Serves an ACI at /file and its signature by `signer` at /file.asc unless null; returns its URL.
    private string Publish(string file, string name, string version, string? signer)
    {
        var path = Path.Combine(directory, file);
        TestAci.Write(path, name, version);
        server.Put("/" + file, File.ReadAllBytes(path));
        if (signer is not null)
        {
            server.Put($"/{file}.asc", File.ReadAllBytes(gpg.Sign(signer, path)));
        }

        return $"{server.Origin}/{file}";
    }
}
