namespace FleetPods.Silo.Tests;

/// <summary>fleetpodsd's --registry-mirror HOST=URL: mirrors by registry, in the order given; a bad one names itself.</summary>
public sealed class RegistryMirrorOptionTests
{
    [Fact]
    public void Mirrors_are_kept_per_registry_in_order()
    {
        var mirrors = RegistryMirrorOption.Parse(["docker.io=https://m1.example", "127.0.0.1:5000=http://127.0.0.1:5001", "docker.io=http://m2.example:5000"]);

        Assert.Equal([new Uri("https://m1.example"), new Uri("http://m2.example:5000")], mirrors["docker.io"]);
        Assert.Equal([new Uri("http://127.0.0.1:5001")], mirrors["127.0.0.1:5000"]);
        Assert.Empty(RegistryMirrorOption.Parse(null));
    }

    [Theory]
    [InlineData("https://m1.example")]
    [InlineData("docker.io=ftp://m1.example")]
    [InlineData("docker.io=https://m1.example/path")]
    [InlineData("docker.io/library=https://m1.example")]
    public void A_bad_mirror_is_refused_naming_it(string value)
    {
        var error = Assert.Throws<FormatException>(() => RegistryMirrorOption.Parse([value]));

        Assert.StartsWith($"--registry-mirror '{value}' is not HOST=URL", error.Message, StringComparison.Ordinal);
    }
}
