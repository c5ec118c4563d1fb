using System.CommandLine;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native;

/// <summary>What a command body works with: its parsed arguments, the API, and where its result goes.</summary>
internal sealed record CommandContext(ParseResult Parse, ApiClient Api, CommandOutput Output);
