namespace FleetPods.Silo.FrontDoor;

/// <summary>The request itself is wrong (a bad query value, an unknown phase, an ambiguous pod prefix): answered with HTTP 400 (see <see cref="ApiErrors"/>).</summary>
public sealed class BadRequestException : Exception
{
    public BadRequestException()
    {
    }

    public BadRequestException(string message)
        : base(message)
    {
    }

    public BadRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
