using FleetPods.Cli.Native;
using FleetPods.Cli.Native.Images;

namespace FleetPods.Cli.Tests;

/// <summary>
/// docker's credential helpers, as real programs on the PATH: shell scripts speaking the helper protocol (server URL
/// on stdin, JSON on stdout, non-zero exit for none), chosen by credHelpers for the registry, else credsStore.
/// </summary>
[Collection(PathVariable.Name)]
public sealed class DockerCredentialHelperTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-cred-helpers-").FullName;
    private readonly string? path = Environment.GetEnvironmentVariable("PATH");

    public DockerCredentialHelperTests()
    {
        // A helper per behaviour; each records the server URL it was asked about.
        Helper("vault", """read url; echo "$url" > "$0.asked"; printf '{"ServerURL":"%s","Username":"robot","Secret":"from-vault"}' "$url" """);
        Helper("store", """read url; echo "$url" > "$0.asked"; printf '{"ServerURL":"%s","Username":"hubuser","Secret":"from-store"}' "$url" """);
        Helper("empty", """echo "credentials not found in native keychain"; exit 1""");
        Helper("token", """printf '{"Username":"<token>","Secret":"refresh"}'""");
        Environment.SetEnvironmentVariable("PATH", $"{directory}:{path}");
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("PATH", path);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void Cred_helpers_name_the_registrys_helper_and_the_store_serves_the_others_over_auths()
    {
        var config = Write("""
            {"auths": {"registry.example.com": {"auth": "dW5zZWVuOnVuc2Vlbg=="}},
             "credHelpers": {"registry.example.com": "vault"},
             "credsStore": "store"}
            """);

        Assert.Equal(("robot", "from-vault"), DockerCredentials.Find("registry.example.com", config));
        Assert.Equal("registry.example.com\n", File.ReadAllText(Path.Combine(directory, "docker-credential-vault.asked")));
        Assert.Equal(("hubuser", "from-store"), DockerCredentials.Find("docker.io", config));
        Assert.Equal("https://index.docker.io/v1/\n", File.ReadAllText(Path.Combine(directory, "docker-credential-store.asked")));
    }

    [Fact]
    public void A_helper_with_nothing_for_the_registry_means_no_credentials_and_an_identity_token_or_a_missing_helper_is_one_line()
    {
        var empty = Write("""{"credsStore": "empty"}""");
        var token = Write("""{"credsStore": "token"}""");
        var missing = Write("""{"credHelpers": {"r.example": "not-installed"}}""");
        var hostile = Write("""{"credsStore": "../../bin/sh"}""");

        Assert.Null(DockerCredentials.Find("r.example", empty));
        Assert.Equal(
            "docker-credential-token holds an identity token for r.example, which FleetPods does not use; log in with a user name and password",
            Assert.Throws<CliException>(() => DockerCredentials.Find("r.example", token)).Message);
        Assert.StartsWith(
            $"{missing}: credHelpers.r.example names the credential helper docker-credential-not-installed, which cannot be run",
            Assert.Throws<CliException>(() => DockerCredentials.Find("r.example", missing)).Message, StringComparison.Ordinal);
        Assert.Equal(
            $"{hostile}: credsStore: '../../bin/sh' is not a credential helper's name (docker-credential-NAME)",
            Assert.Throws<CliException>(() => DockerCredentials.Find("r.example", hostile)).Message);
    }

    private void Helper(string name, string body)
    {
        var file = Path.Combine(directory, $"docker-credential-{name}");
        File.WriteAllText(file, $"#!/bin/sh\n[ \"$1\" = get ] || exit 2\n{body}\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private string Write(string json)
    {
        var file = Path.Combine(directory, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(file, json);
        return file;
    }
}

/// <summary>Tests that change the process's PATH run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PathVariable
{
    public const string Name = "PATH variable";
}
