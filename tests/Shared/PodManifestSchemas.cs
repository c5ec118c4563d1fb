using System.Text.Json;
using Json.Schema;

namespace FleetPods.Tests;

/// <summary>
/// The pod manifest's two schemas in docs/schemas: appc's pod manifest (the whole document) and FleetPods' extension
/// (its <c>fleetpods</c> member), checked with a served JSON Schema validator.
/// </summary>
public static class PodManifestSchemas
{
    private static readonly Lazy<JsonSchema> Appc = new(() => Load("appc-pod-manifest.schema.json"));
    private static readonly Lazy<JsonSchema> Extension = new(() => Load("fleetpods-pod-extension.schema.json"));

    /// <summary>Where <paramref name="manifest"/> breaks either schema, one line each; empty when both accept it.</summary>
    public static IReadOnlyList<string> Problems(string manifest)
    {
        using var document = JsonDocument.Parse(manifest);
        var root = document.RootElement;
        List<string> problems = [.. Failures("appc", Appc.Value.Evaluate(root, Options))];
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("fleetpods", out var extension))
        {
            problems.Add("fleetpods: missing");
        }
        else
        {
            problems.AddRange(Failures("fleetpods", Extension.Value.Evaluate(extension, Options)));
        }

        return problems;
    }

    private static EvaluationOptions Options => new() { OutputFormat = OutputFormat.List };

    private static IEnumerable<string> Failures(string schema, EvaluationResults results) =>
        results.IsValid
            ? []
            : (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{schema} {d.InstanceLocation}: {e.Value}"))
                .DefaultIfEmpty($"{schema}: invalid");

    private static JsonSchema Load(string name) =>
        JsonSchema.FromText(File.ReadAllText(RepositoryRoot.Combine(Path.Combine("docs", "schemas", name))), new BuildOptions());
}
