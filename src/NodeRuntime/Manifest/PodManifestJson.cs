using System.Text.Json.Serialization;

namespace FleetPods.NodeRuntime.Manifest;

/// <summary>The manifest's JSON: appc's camelCase names, absent fields left out, indented for <c>fleetpods cat-manifest</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(PodManifest))]
internal sealed partial class PodManifestJson : JsonSerializerContext;
