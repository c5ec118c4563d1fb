namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// One app's launch with every default resolved from its image: what the supervisor is told to do for it.
/// The app's environment is exactly: PATH (the default below unless the image or pod sets one), HOSTNAME (the
/// pod's hostname unless set), the image's environment, the pod's environment (which wins), and AC_APP_NAME,
/// which appc says an executor sets. Nothing of the daemon's own environment reaches a pod.
/// </summary>
internal sealed record PodLaunchPlan(
    string Name,
    string Hostname,
    IReadOnlyList<string> Exec,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    string? WorkingDirectory,
    string? User,
    string? Group,
    string LowerDirectory,
    string? CopiedRootfs,
    ImageRecord Image)
{
    /// <summary>The overlay's upper and work directories in the pod's tree (unless the rootfs is copied).</summary>
    public (string Upper, string Work)? Layers { get; init; }

    /// <summary>The pod's volumes in this app's tree, resolved to their node directories.</summary>
    public IReadOnlyList<PodPlanMount> Mounts { get; init; } = [];

    /// <summary>Group ids beside the user's own (appc's supplementaryGIDs); an image gives none.</summary>
    public IReadOnlyList<uint> SupplementaryGroups { get; init; } = [];

    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private const int MaxHostnameLength = 64; // HOST_NAME_MAX

    /// <summary>Resolves a request against its image, as appc says an executor does.</summary>
    /// <exception cref="PodLaunchException">The request cannot be run as given; the message says what is wrong.</exception>
    public static PodLaunchPlan Resolve(PodLaunchRequest request, PodAppRequest app, ImageRecord image, string imageRootfs)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(image);
        var exec = app.Exec is { Count: > 0 } given ? given : image.App?.Exec ?? [];
        if (exec.Count == 0)
        {
            throw new PodLaunchException($"no command to run: the pod gives no Exec= and image {image.Name} defines no exec");
        }

        if (exec.Any(argument => argument.Contains('\0', StringComparison.Ordinal)))
        {
            throw new PodLaunchException("the command has an argument with a NUL character");
        }

        var hostname = request.Hostname ?? "fleetpods-" + request.PodId[..Math.Min(8, request.PodId.Length)];
        if (hostname.Length is 0 or > MaxHostnameLength || !hostname.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
        {
            throw new PodLaunchException($"hostname '{hostname}' is not 1 to {MaxHostnameLength} letters, digits, '-' and '.'");
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = DefaultPath, ["HOSTNAME"] = hostname };
        foreach (var (name, value) in (image.App?.Environment ?? []).Concat(app.Environment))
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new PodLaunchException($"environment variable '{name}' has an empty name, or '=' in its name, or a NUL character");
            }

            environment[name] = value;
        }

        if (new[] { app.Name, app.WorkingDirectory, app.User, app.Group }.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
        {
            throw new PodLaunchException("the app's name, working directory, user or group has a NUL character");
        }

        environment["AC_APP_NAME"] = app.Name;
        return new PodLaunchPlan(
            app.Name,
            hostname,
            exec,
            [.. environment],
            app.WorkingDirectory ?? image.App?.WorkingDirectory,
            app.User ?? image.App?.User,
            app.Group ?? image.App?.Group,
            imageRootfs,
            null,
            image)
        {
            SupplementaryGroups = app.SupplementaryGroups,
        };
    }
}
