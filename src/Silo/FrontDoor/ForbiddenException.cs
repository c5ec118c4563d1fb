namespace FleetPods.Silo.FrontDoor;

/// <summary>The caller does not hold the role the request needs: answered with HTTP 403 (see <see cref="ApiErrors"/>).</summary>
public sealed class ForbiddenException : Exception
{
    public ForbiddenException()
    {
    }

    public ForbiddenException(string message)
        : base(message)
    {
    }

    public ForbiddenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
