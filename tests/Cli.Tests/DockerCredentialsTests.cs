using System.Text;
using FleetPods.Cli.Native;
using FleetPods.Cli.Native.Images;

namespace FleetPods.Cli.Tests;

/// <summary>docker's credential lookup: the one entry for the registry's host, however docker login keyed it.</summary>
public sealed class DockerCredentialsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-docker-config-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData("docker://registry.example.com:5000/team/app:1", "registry.example.com:5000")]
    [InlineData("oci://localhost/app", "localhost")]
    [InlineData("docker://busybox", "docker.io")]
    [InlineData("docker://someone/app:v2", "docker.io")]
    public void The_registry_is_read_from_the_reference_as_docker_reads_it(string reference, string registry) =>
        Assert.Equal(registry, DockerCredentials.RegistryOf(reference));

    [Fact]
    public void The_entry_for_the_host_is_taken_by_bare_host_or_url_key_and_no_other()
    {
        var config = Write(new
        {
            auths = new Dictionary<string, object>
            {
                ["https://registry.example.com:5000/v2/"] = new { auth = Base64("alice:pa:ss") },
                ["other.example.com"] = new { username = "bob", password = "hunter2" },
                ["https://index.docker.io/v1/"] = new { auth = Base64("carol:hub") },
            },
        });

        Assert.Equal(("alice", "pa:ss"), DockerCredentials.Find("registry.example.com:5000", config));
        Assert.Equal(("bob", "hunter2"), DockerCredentials.Find("other.example.com", config));
        Assert.Equal(("carol", "hub"), DockerCredentials.Find("docker.io", config));
        Assert.Null(DockerCredentials.Find("registry.example.com", config));
    }

    [Fact]
    public void A_bad_auth_or_a_missing_creds_file_is_one_line()
    {
        var config = Write(new { auths = new Dictionary<string, object> { ["r.example"] = new { auth = "not base64!" } } });

        var bad = Assert.Throws<CliException>(() => DockerCredentials.Find("r.example", config));
        var missing = Assert.Throws<CliException>(() => DockerCredentials.Find("r.example", Path.Combine(directory, "none.json")));

        Assert.Equal($"{config}: auths.r.example.auth is not base64 (of user:password)", bad.Message);
        Assert.StartsWith($"cannot read the docker config {Path.Combine(directory, "none.json")}: ", missing.Message, StringComparison.Ordinal);
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private string Write(object config)
    {
        var path = Path.Combine(directory, $"{Guid.NewGuid():N}.json");
        File.WriteAllBytes(path, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(config));
        return path;
    }
}
