namespace FleetPods.Cli;

/// <summary>Tables for people, JSON for scripts.</summary>
public enum OutputFormat
{
    Table,
    Json,
}
