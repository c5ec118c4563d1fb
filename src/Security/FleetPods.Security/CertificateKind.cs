namespace FleetPods.Security;

/// <summary>What a cluster certificate is for; its subject's OU names it (<c>OU=node</c>, <c>OU=admin</c>, …).</summary>
public enum CertificateKind
{
    /// <summary>A fleetpodsd: joins the cluster as a silo and serves HTTPS; no user role.</summary>
    Node,

    /// <summary>A person or program with the admin role (and the raw Orleans gateway).</summary>
    Admin,

    /// <summary>A person or program with the operator role.</summary>
    Operator,

    /// <summary>A person or program with the reader role.</summary>
    Reader,
}
