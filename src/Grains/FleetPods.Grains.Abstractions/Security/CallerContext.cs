using FleetPods.Security;

namespace FleetPods.Grains.Security;

/// <summary>
/// The caller a grain call is made for, carried in Orleans' <see cref="RequestContext"/> from the front door through
/// every grain call it leads to. Only fleetpodsd's front door sets it, for the caller it authenticated. A call that
/// carries none came from inside the cluster or from a .NET client through the gateway, which admits admin
/// certificates only, so it is an admin's.
/// </summary>
public static class CallerContext
{
    private const string NameKey = "fleetpods.caller.name";
    private const string RoleKey = "fleetpods.caller.role";

    /// <summary>The caller of the current grain call.</summary>
    public static Caller Current =>
        RequestContext.Get(NameKey) is string name && RequestContext.Get(RoleKey) is int role && Enum.IsDefined((Role)role)
            ? new Caller(name, (Role)role)
            : Internal;

    /// <summary>Calls from inside the cluster, or through the admin-only gateway.</summary>
    public static Caller Internal { get; } = new("fleetpodsd", Role.Admin);

    /// <summary>Makes <paramref name="caller"/> the caller of the grain calls made until the result is disposed.</summary>
    public static IDisposable Enter(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var previous = (Name: RequestContext.Get(NameKey), Role: RequestContext.Get(RoleKey));
        RequestContext.Set(NameKey, caller.Name);
        RequestContext.Set(RoleKey, (int)caller.Role);
        return new Restore(previous.Name, previous.Role);
    }

    private sealed class Restore(object? name, object? role) : IDisposable
    {
        public void Dispose()
        {
            Put(NameKey, name);
            Put(RoleKey, role);
        }

        private static void Put(string key, object? value)
        {
            if (value is null)
            {
                RequestContext.Remove(key);
            }
            else
            {
                RequestContext.Set(key, value);
            }
        }
    }
}
