using System.Text.Json;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// An OCI (or docker) image config: its Entrypoint and Cmd become the app's exec, Env, WorkingDir and User its
/// defaults, and <c>rootfs.diff_ids</c> the digests each uncompressed layer must have.
/// </summary>
internal sealed record OciImageConfig(ImageApp App, IReadOnlyList<ContentDigest> DiffIds)
{
    public static OciImageConfig Parse(byte[] json, string what)
    {
        var root = ImageJson.Parse(json, what);
        var config = root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        var exec = ImageJson.Strings(config, "Entrypoint", what).Concat(ImageJson.Strings(config, "Cmd", what)).ToList();
        var environment = ImageJson.Strings(config, "Env", what).Select(e =>
        {
            var equals = e.IndexOf('=', StringComparison.Ordinal);
            return equals > 0 ? KeyValuePair.Create(e[..equals], e[(equals + 1)..]) : throw new ImageImportException($"{what}: Env entry '{e}' is not NAME=VALUE");
        }).ToList();
        var workingDirectory = ImageJson.String(config, "WorkingDir") is { Length: > 0 } w ? w : null;
        var user = ImageJson.String(config, "User") is { Length: > 0 } u ? u : null;
        var colon = user?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        var app = new ImageApp(exec, environment, workingDirectory, colon >= 0 ? user![..colon] : user, colon >= 0 ? user![(colon + 1)..] : null);
        var rootfs = root.TryGetProperty("rootfs", out var r) ? r : default;
        var diffIds = ImageJson.Strings(rootfs, "diff_ids", what).Select(d => ContentDigest.Parse(d, what + ": rootfs.diff_ids")).ToList();
        return new OciImageConfig(app, diffIds);
    }
}
