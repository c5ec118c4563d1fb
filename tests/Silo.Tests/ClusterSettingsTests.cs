using System.Net;

namespace FleetPods.Silo.Tests;

public sealed class ClusterSettingsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-config-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void The_command_line_wins_then_the_environment_then_the_config_file()
    {
        var file = Write("""{ "cluster": "Host=from-file" }""");
        string? Environment(string name) => name == ClusterSettings.EnvironmentVariable ? "Host=from-env" : null;

        Assert.Equal("Host=from-cli", ClusterSettings.ConnectionString("Host=from-cli", file, Environment));
        Assert.Equal("Host=from-env", ClusterSettings.ConnectionString(null, file, Environment));
        Assert.Equal("Host=from-file", ClusterSettings.ConnectionString(null, file, _ => null));
        Assert.Null(ClusterSettings.ConnectionString(null, null, _ => null));
    }

    [Theory]
    [InlineData("""{ "clustre": "Host=x" }""")]
    [InlineData("not json")]
    public void A_bad_config_file_is_an_error_naming_it(string text)
    {
        var file = Write(text);

        var error = Assert.Throws<FormatException>(() => ClusterSettings.ConnectionString(null, file, _ => null));

        Assert.StartsWith($"--config {file}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_advertised_address_is_the_given_one_or_a_non_loopback_one_of_this_machine()
    {
        Assert.Equal(IPAddress.Parse("10.1.2.3"), ClusterSettings.AdvertisedAddress("10.1.2.3"));
        Assert.Throws<FormatException>(() => ClusterSettings.AdvertisedAddress("node-a"));

        var found = ClusterSettings.AdvertisedAddress(null);
        var hasOther = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Any(i =>
            i.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up
            && i.GetIPProperties().UnicastAddresses.Any(a => a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a.Address)));
        Assert.Equal(hasOther, !IPAddress.IsLoopback(found));
    }

    private string Write(string text)
    {
        var path = Path.Combine(directory, "fleetpodsd.json");
        File.WriteAllText(path, text);
        return path;
    }
}
