namespace FleetPods.Cli.Native.Output;

/// <summary>Tables for people, JSON for scripts.</summary>
internal enum OutputFormat
{
    Table,
    Json,
}
