using System.Text;

namespace FleetPods.Grains;

/// <summary>
/// What an agent's <see cref="INodeGrain.Attach"/> gets: the session its beats carry, and when to send the first one.
/// </summary>
/// <param name="Token">The secret that only this agent's beats carry; it replaces any earlier agent's. Never logged.</param>
/// <param name="NextBeat">How long the agent waits before its first beat.</param>
[GenerateSerializer, Immutable]
public sealed record AgentSession(
    [property: Id(0)] string Token,
    [property: Id(1)] TimeSpan NextBeat)
{
    // A session printed in a log would let anyone who reads the log keep the node up: its token is left out.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("NextBeat = ").Append(NextBeat);
        return true;
    }
}
