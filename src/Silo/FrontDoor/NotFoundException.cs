namespace FleetPods.Silo.FrontDoor;

/// <summary>No unit, pod or image of that name: answered with HTTP 404 (see <see cref="ApiErrors"/>).</summary>
public sealed class NotFoundException : Exception
{
    public NotFoundException()
    {
    }

    public NotFoundException(string message)
        : base(message)
    {
    }

    public NotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
