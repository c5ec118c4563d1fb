namespace FleetPods.Grains.Nodes;

/// <summary>
/// How many agents this server's node grains hold now: what <see cref="HeartbeatPacing"/> paces by. Counted per
/// server, as Nomad's servers count their own clients: each server keeps its own beats under its rate, at no cost
/// beyond an increment when an agent attaches and a decrement when its node goes down or its grain deactivates.
/// </summary>
internal sealed class LiveAgents
{
    private int count;

    public int Count => Volatile.Read(ref count);

    public void Add() => Interlocked.Increment(ref count);

    public void Remove() => Interlocked.Decrement(ref count);
}
