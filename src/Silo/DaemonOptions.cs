namespace FleetPods.Silo;

/// <summary>How this fleetpodsd runs: where it keeps state, which node it is, which ports it listens on.</summary>
public sealed record DaemonOptions(
    string DataDirectory,
    string NodeName,
    IReadOnlyDictionary<string, string> Metadata,
    int SiloPort,
    int GatewayPort)
{
    public const string DefaultDataDirectory = "/var/lib/fleetpods";
    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;

    public string StateDatabasePath => Path.Combine(DataDirectory, "state.db");

    /// <summary>The most an image may take, as an archive and as the tree it expands to.</summary>
    public long MaxImageSizeBytes { get; init; } = 16L << 30;
}
