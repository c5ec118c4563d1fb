using FleetPods.NodeRuntime.Registry;

namespace FleetPods.NodeRuntime.Tests.Registry;

/// <summary>References as docker reads them, and bad ones refused with one line naming what is wrong.</summary>
public sealed class RegistryReferenceTests
{
    [Theory]
    [InlineData("docker://127.0.0.1:5000/busybox:1.36", "127.0.0.1:5000", "busybox", "1.36", null)]
    [InlineData("oci://registry.example.com/team/app", "registry.example.com", "team/app", "latest", null)]
    [InlineData("docker://localhost/a.b_c__d-e/f", "localhost", "a.b_c__d-e/f", "latest", null)]
    [InlineData("docker://busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("docker://someone/app:v2", "docker.io", "someone/app", "v2", null)]
    [InlineData("docker://r.example:443/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "r.example:443", "app", null, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("docker://r.example/app:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "r.example", "app", "1.0", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Good_references_parse_as_docker_reads_them(string text, string registry, string repository, string? tag, string? digest)
    {
        var reference = RegistryReference.Parse(text);

        Assert.Equal(registry, reference.Registry);
        Assert.Equal(repository, reference.Repository);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(digest, reference.Digest?.OciForm);
        Assert.Equal(digest ?? tag, reference.ManifestReference);
    }

    [Fact]
    public void Docker_hub_is_reached_at_its_api_host() =>
        Assert.Equal("registry-1.docker.io", RegistryReference.Parse("docker://busybox").Endpoint);

    [Theory]
    [InlineData("https://r.example/app", "it does not start with docker:// or oci://")]
    [InlineData("docker://r.example/", "it names no repository (docker://HOST[:PORT]/REPO[:TAG|@DIGEST])")]
    [InlineData("docker://r.example/App", "the repository 'App' is not lowercase letters and digits in parts separated by '/', with '.', '_', '__' or '-' between them")]
    [InlineData("docker://r.example/app:-x", "the tag '-x' is not letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-')")]
    [InlineData("docker://r.example/app@sha256:abc", "'sha256:abc' after '@' is not a digest (sha256:<64 lowercase hex digits>)")]
    [InlineData("docker://r.example:99999/app", "the port '99999' of registry 'r.example:99999' is not a number from 1 to 65535")]
    [InlineData("docker://r_x.example/app", "'r_x.example' is not a host name or IPv4 address")]
    public void A_bad_reference_is_one_line_naming_what_is_wrong(string text, string why)
    {
        var error = Assert.Throws<ImageImportException>(() => RegistryReference.Parse(text));

        Assert.Equal($"'{text}' is not an image reference: {why}", error.Message);
    }

    [Fact]
    public void A_bearer_challenge_parses_quoted_parameters_with_commas_and_escapes()
    {
        var parameters = AuthChallenge.ParseParameters("realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\",error=\"x\\\"y\"");

        Assert.Equal("https://auth.example/token", parameters["realm"]);
        Assert.Equal("registry.example", parameters["Service"]);
        Assert.Equal("repository:a/b:pull,push", parameters["scope"]);
        Assert.Equal("x\"y", parameters["error"]);
    }
}
