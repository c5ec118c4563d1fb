using System.Text.Json;
using System.Text.Json.Serialization;

namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// The API's JSON: web defaults (camelCase) with enums as kebab-case strings, indented, which is exactly what
/// <c>fleetpods … --output json</c> printed, so a client can print an answer as it comes.
/// </summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>NDJSON lines: the same names, one object a line.</summary>
    public static JsonSerializerOptions Lines { get; } = new(Options) { WriteIndented = false };

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.WriteIndented = true;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        return options;
    }
}
