namespace FleetPods.Grains;

/// <summary>
/// A node grain refused an agent's <see cref="INodeGrain.Attach"/>: its proof does not show it is that node (another
/// node's certificate, not the cluster CA's, revoked, expired, a bad signature, a stale or unknown challenge), or the
/// node is a silo of the cluster. The message is one line naming the node and why; the agent tries again later.
/// </summary>
[GenerateSerializer]
public sealed class AttachRefusedException : FleetPodsException
{
    public AttachRefusedException()
    {
    }

    public AttachRefusedException(string message)
        : base(message)
    {
    }

    public AttachRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
