using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;

namespace FleetPods.Silo;

/// <summary>Where cluster mode's settings come from: the command line, else $FLEETPODS_CLUSTER, else the config file.</summary>
public static class ClusterSettings
{
    public const string EnvironmentVariable = "FLEETPODS_CLUSTER";

    private static readonly JsonSerializerOptions ConfigFileJson = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The PostgreSQL connection string to use, or null for the embedded default.</summary>
    /// <exception cref="FormatException">The config file is unreadable or not what it should be; the message names it.</exception>
    public static string? ConnectionString(string? fromCommandLine, string? configFile, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(fromCommandLine))
        {
            return fromCommandLine;
        }

        if (environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        return configFile is null ? null : ReadConfigFile(configFile).Cluster;
    }

    /// <summary>The given address, else the first IPv4 address of an interface that is up and not loopback, else loopback.</summary>
    public static IPAddress AdvertisedAddress(string? given)
    {
        if (!string.IsNullOrWhiteSpace(given))
        {
            return IPAddress.TryParse(given, out var address)
                ? address
                : throw new FormatException($"--advertised-address '{given}' is not an IP address");
        }

        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? IPAddress.Loopback;
    }

    private static ConfigFile ReadConfigFile(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ConfigFile>(File.ReadAllText(path), ConfigFileJson) ?? new ConfigFile(null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new FormatException($"--config {path}: {ex.Message}", ex);
        }
    }

    private sealed record ConfigFile(string? Cluster);
}
