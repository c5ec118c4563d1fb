using System.Globalization;
using System.Text.Json;

namespace FleetPods.Cli.Native.Output;

/// <summary>Reads the API's JSON (camelCase, enums as kebab-case strings) into table cells and messages.</summary>
internal static class JsonFields
{
    public static JsonElement? Field(this JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>The field as text (a string as is, a number or boolean as written), or null when it is absent or null.</summary>
    public static string? Text(this JsonElement json, string name) => json.Field(name) switch
    {
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        { } value => value.GetRawText(),
        null => null,
    };

    /// <summary>The field as text, or <paramref name="missing"/>.</summary>
    public static string Text(this JsonElement json, string name, string missing) => json.Text(name) ?? missing;

    public static long Number(this JsonElement json, string name) =>
        json.Field(name) is { ValueKind: JsonValueKind.Number } value ? value.GetInt64() : 0;

    public static bool Flag(this JsonElement json, string name) =>
        json.Field(name) is { ValueKind: JsonValueKind.True };

    public static IEnumerable<JsonElement> Items(this JsonElement json, string name) =>
        json.Field(name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    public static IEnumerable<JsonElement> Items(this JsonElement json) =>
        json.ValueKind == JsonValueKind.Array ? json.EnumerateArray() : [];

    /// <summary>A time as tables show it, in UTC to the second (<c>2026-01-02 03:04:05Z</c>), or <c>-</c>.</summary>
    public static string Time(this JsonElement json, string name) =>
        json.Text(name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : "-";
}
