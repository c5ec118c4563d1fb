namespace FleetPods.Grains;

/// <summary>A request the cluster refused, with a message meant for the person who made it; <see cref="NodeUnavailableException"/> is one kind.</summary>
[GenerateSerializer]
public class FleetPodsException : Exception
{
    public FleetPodsException()
    {
    }

    public FleetPodsException(string message)
        : base(message)
    {
    }

    public FleetPodsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
