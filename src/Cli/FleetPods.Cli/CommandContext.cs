using System.CommandLine;

namespace FleetPods.Cli;

/// <summary>What a command body works with: its parsed arguments, the cluster, and where to write.</summary>
public sealed record CommandContext(ParseResult Parse, IClusterClient Cluster, Output Output);
