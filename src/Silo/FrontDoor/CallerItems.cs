using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace FleetPods.Silo.FrontDoor;

/// <summary>Where the caller a connection was authenticated as is kept: the connection's items, shared by its requests.</summary>
public static class CallerItems
{
    private const string Key = "fleetpods.caller";

    public static void Set(IDictionary<object, object?> connectionItems, ApiCaller caller)
    {
        ArgumentNullException.ThrowIfNull(connectionItems);
        connectionItems[Key] = caller;
    }

    /// <summary>The caller of <paramref name="context"/>'s connection, or null if it was not authenticated.</summary>
    public static ApiCaller? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(Key, out var caller) == true ? caller as ApiCaller : null;
    }
}
