namespace FleetPods.NodeRuntime.Pods;

/// <summary>A pod's launch with every default resolved from its image: what the supervisor is told to do.</summary>
public sealed record PodLaunchPlan(
    string Hostname,
    IReadOnlyList<string> Exec,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    string? WorkingDirectory,
    string? User,
    string? Group,
    string LowerDirectory,
    string? CopiedRootfs)
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Resolves a request against its image, as appc says an executor does.</summary>
    public static PodLaunchPlan Resolve(PodLaunchRequest request, ImageRecord image, string imageRootfs)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(image);
        var app = request.App;
        var exec = app.Exec is { Count: > 0 } given ? given : image.App?.Exec ?? [];
        if (exec.Count == 0)
        {
            throw new PodLaunchException($"no command to run: the pod gives no Exec= and image {image.Name} defines no exec");
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = DefaultPath };
        foreach (var (name, value) in (image.App?.Environment ?? []).Concat(app.Environment))
        {
            environment[name] = value;
        }

        environment["AC_APP_NAME"] = app.Name;
        return new PodLaunchPlan(
            request.Hostname ?? "fleetpods-" + request.PodId[..Math.Min(8, request.PodId.Length)],
            exec,
            [.. environment],
            app.WorkingDirectory ?? image.App?.WorkingDirectory,
            app.User ?? image.App?.User,
            app.Group ?? image.App?.Group,
            imageRootfs,
            null);
    }
}
