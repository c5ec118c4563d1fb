namespace FleetPods.Silo.FrontDoor;

/// <summary>How a caller reached the API: the local Unix socket (peer credentials) or HTTPS (a client certificate).</summary>
public enum ApiChannel
{
    Socket,
    Https,
}
