namespace FleetPods.Grains;

/// <summary>One thing <see cref="PodValidator"/> refused in a pod, typed so each way of describing a pod can point at it.</summary>
/// <param name="Field">What was refused.</param>
/// <param name="App">The <c>[App NAME]</c> app it is in, or null for the <c>[Pod]</c> section's own app and the pod as a whole.</param>
/// <param name="Index">The item of a list field (<see cref="PodField.Environment"/>, <see cref="PodField.Volume"/>, <see cref="PodField.Mount"/>, <see cref="PodField.Port"/>), or -1.</param>
/// <param name="Message">Why, for people: names the value and says what is expected.</param>
[GenerateSerializer, Immutable]
public sealed record PodProblem(
    [property: Id(0)] PodField Field,
    [property: Id(1)] string? App,
    [property: Id(2)] int Index,
    [property: Id(3)] string Message)
{
    public override string ToString() => App is null ? Message : $"app {App}: {Message}";
}
