namespace FleetPods.Silo.FrontDoor;

/// <summary>The thing is in a state that forbids the request (removing a running pod): answered with HTTP 409 (see <see cref="ApiErrors"/>).</summary>
public sealed class ConflictException : Exception
{
    public ConflictException()
    {
    }

    public ConflictException(string message)
        : base(message)
    {
    }

    public ConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
