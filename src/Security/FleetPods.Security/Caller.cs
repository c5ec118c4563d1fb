namespace FleetPods.Security;

/// <summary>Who is calling, as the front door authenticated them: a Unix user (by peer credentials) or a certificate's subject.</summary>
/// <param name="Name">The user name (<c>alice</c>, <c>uid 1001</c>) or the certificate's common name, for refusals and the audit log.</param>
public sealed record Caller(string Name, Role Role)
{
    /// <summary>Whether this caller holds <paramref name="needed"/> or a role above it.</summary>
    public bool Holds(Role needed) => Role >= needed;
}
