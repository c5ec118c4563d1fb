namespace FleetPods.Security;

/// <summary>Who a cluster certificate names: its subject's CN and OU.</summary>
public sealed record CertificateIdentity(string Name, CertificateKind Kind)
{
    /// <summary>The role a client holds with this certificate; null for a node's, which is no user's.</summary>
    public Role? Role => Kind switch
    {
        CertificateKind.Admin => FleetPods.Security.Role.Admin,
        CertificateKind.Operator => FleetPods.Security.Role.Operator,
        CertificateKind.Reader => FleetPods.Security.Role.Reader,
        _ => null,
    };

    public override string ToString() => $"{Name} ({CertificateProfile.KindName(Kind)})";
}
