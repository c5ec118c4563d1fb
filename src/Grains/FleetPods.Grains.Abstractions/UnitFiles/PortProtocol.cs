namespace FleetPods.Grains.UnitFiles;

/// <summary>The transport protocol of a forwarded port.</summary>
public enum PortProtocol
{
    /// <summary><c>/tcp</c>.</summary>
    Tcp,

    /// <summary><c>/udp</c>.</summary>
    Udp,
}
