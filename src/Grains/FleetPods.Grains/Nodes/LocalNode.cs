namespace FleetPods.Grains.Nodes;

/// <summary>
/// The machine of a silo that is a node: its name, and the narrow boundary between its node grain and the kernel
/// (containerd's task API, in spirit), which the silo implements over NodeRuntime so the grains never touch the kernel
/// and test without it. It is the boundary an agent attaches (<see cref="INodeAgent"/>), so a node grain drives a
/// silo's machine and an agent's the same way.
/// </summary>
/// <param name="NodeName">The node name this silo announced; its node grain is placed here.</param>
public sealed record LocalNode(string NodeName, INodeAgent Machine);
