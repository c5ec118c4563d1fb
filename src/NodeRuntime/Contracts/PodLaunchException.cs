namespace FleetPods.NodeRuntime;

/// <summary>A pod could not start; the message is the reason a person reads.</summary>
public sealed class PodLaunchException : Exception
{
    public PodLaunchException()
    {
    }

    public PodLaunchException(string message)
        : base(message)
    {
    }

    public PodLaunchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
