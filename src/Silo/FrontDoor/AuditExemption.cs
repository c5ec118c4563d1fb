using Microsoft.AspNetCore.Builder;

namespace FleetPods.Silo.FrontDoor;

/// <summary>Marks an endpoint whose calls <see cref="AuditLog"/> leaves out, and says why (see <see cref="AuditExemptions.NotAudited"/>).</summary>
public sealed record AuditExemption(string Why);

public static class AuditExemptions
{
    /// <summary>Only for calls that act within something already audited, many and private: a pod's keystrokes.</summary>
    public static TBuilder NotAudited<TBuilder>(this TBuilder builder, string why)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new AuditExemption(why));
    }
}
