using System.Diagnostics;

namespace FleetPods.Tests;

/// <summary>
/// Real GnuPG in a GNUPGHOME of the test's own: keys made by <c>gpg --batch --quick-gen-key</c> (no passphrase),
/// exported armored, and files signed with <c>gpg --armor --detach-sign</c>, as an image's publisher does. Disposing
/// stops the home's gpg-agent and removes the home.
/// </summary>
public sealed class TestGpg : IDisposable
{
    // Short: gpg-agent's socket path must fit a Unix socket address.
    private readonly string home = Directory.CreateTempSubdirectory("fpgpg-").FullName;

    /// <summary>Makes a signing key for <paramref name="userId"/> (gpg's default algorithm, no expiry); returns its fingerprint.</summary>
    public string NewKey(string userId)
    {
        Run("--batch", "--passphrase", "", "--quick-gen-key", userId, "default", "default", "never");
        var listing = Run("--batch", "--with-colons", "--fingerprint", userId);
        return listing.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
    }

    /// <summary>The public key, as <c>gpg --armor --export</c> writes it.</summary>
    public string ExportPublic(string fingerprint) => Run("--batch", "--armor", "--export", fingerprint);

    /// <summary>The secret key, armored: what no one must ever send.</summary>
    public string ExportSecret(string fingerprint) =>
        Run("--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--armor", "--export-secret-keys", fingerprint);

    /// <summary>Writes <paramref name="file"/>.asc, a detached armored signature of the file by the key; returns its path.</summary>
    public string Sign(string fingerprint, string file)
    {
        var signature = file + ".asc";
        Run("--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", "", "--local-user", fingerprint, "--armor", "--output", signature, "--detach-sign", file);
        return signature;
    }

    public void Dispose()
    {
        using (var kill = Process.Start(new ProcessStartInfo("gpgconf", ["--kill", "gpg-agent"]) { Environment = { ["GNUPGHOME"] = home } }))
        {
            kill?.WaitForExit(10_000);
        }

        Directory.Delete(home, recursive: true);
    }

    private string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("gpg", ["--homedir", home, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var gpg = Process.Start(start)!;
        var stderr = gpg.StandardError.ReadToEndAsync();
        var stdout = gpg.StandardOutput.ReadToEnd();
        if (!gpg.WaitForExit(60_000))
        {
            gpg.Kill();
            throw new InvalidOperationException($"gpg {string.Join(' ', arguments)} did not finish in 60 s");
        }

        return gpg.ExitCode == 0 ? stdout : throw new InvalidOperationException($"gpg {string.Join(' ', arguments)} failed ({gpg.ExitCode}): {stderr.Result}");
    }
}
