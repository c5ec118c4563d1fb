using FleetPods.Security;

namespace FleetPods.Silo.FrontDoor;

/// <summary>The lower-case words the API and its refusals use for roles.</summary>
public static class RoleNames
{
    public static string Of(Role role) => role.ToString().ToLowerInvariant();
}
