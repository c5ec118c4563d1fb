using FleetPods.Security;
using Microsoft.AspNetCore.Builder;

namespace FleetPods.Silo.FrontDoor;

/// <summary>The least role an endpoint needs, and what it does in a refusal's words ("starting a unit needs the operator role").</summary>
public sealed record RoleRequirement(Role Role, string What);

/// <summary>Declares an endpoint's <see cref="RoleRequirement"/>; <see cref="RoleGate"/> refuses endpoints that declare none.</summary>
public static class RoleRequirements
{
    public static TBuilder Requires<TBuilder>(this TBuilder builder, Role role, string what)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new RoleRequirement(role, what));
    }
}
