using System.Text.Json;
using FleetPods.Cli.Native.Api;

namespace FleetPods.Cli.Native.Commands;

/// <summary>Finds what an argument names: a unit (<c>web</c> is <c>web.pod</c>), or a pod by id or unique prefix, as rkt took them.</summary>
internal static class Lookups
{
    /// <summary>The unit's status, or null when no unit has that name.</summary>
    public static async Task<JsonElement?> Unit(ApiClient api, string unitName, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetJson($"v1/units/{ApiClient.Escape(unitName)}", cancellationToken);
        }
        catch (ApiException ex) when (ApiClient.IsNotFound(ex))
        {
            return null;
        }
    }

    /// <summary>The pod's status, or null when no pod id starts with <paramref name="reference"/>; an ambiguous prefix is the API's refusal.</summary>
    public static async Task<JsonElement?> Pod(ApiClient api, string reference, CancellationToken cancellationToken)
    {
        // A prefix is a path segment; one that is empty, or a path of its own, names no pod.
        if (reference.Length == 0 || reference.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return await api.GetJson($"v1/pods/{ApiClient.Escape(reference)}", cancellationToken);
        }
        catch (ApiException ex) when (ApiClient.IsNotFound(ex))
        {
            return null;
        }
    }
}
