namespace FleetPods.Grains;

/// <summary>
/// A call to a node's own grain (its node, its image store) while that node is not up in the cluster: its grains
/// live only on its own silo. Callers that ask every node catch this type and report the node as down; it is a
/// <see cref="FleetPodsException"/>, so a caller that treats every refusal alike still does.
/// </summary>
[GenerateSerializer]
public sealed class NodeUnavailableException : FleetPodsException
{
    public NodeUnavailableException()
    {
    }

    public NodeUnavailableException(string message)
        : base(message)
    {
    }

    public NodeUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
