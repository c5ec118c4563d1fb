using System.Text;
using System.Text.Json;

namespace FleetPods.Cli.Native.Images;

/// <summary>
/// The caller's credentials for one registry, looked up as docker does in the config <c>docker login</c> writes:
/// <c>--creds-file FILE</c>, else <c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>; the entry of
/// <c>auths</c> whose key names the registry's host (<c>host:port</c>, with or without a scheme and path; Docker Hub's
/// is <c>https://index.docker.io/v1/</c>), its <c>auth</c> (base64 of user:password) or <c>username</c> and
/// <c>password</c>. Only that entry leaves this process. Credential helpers (<c>credsStore</c>, <c>credHelpers</c>)
/// are not run.
/// </summary>
internal static class DockerCredentials
{
    private static readonly string[] DockerHubKeys = ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"];

    /// <summary>The registry host of a <c>docker://</c> or <c>oci://</c> reference, as docker reads names (the daemon parses the rest).</summary>
    public static string RegistryOf(string reference)
    {
        var rest = reference[(reference.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? "" : rest[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" ? first : "docker.io";
    }

    /// <summary>
    /// The user name and password for <paramref name="registry"/>: from the credential helper the config names for it
    /// (<c>credHelpers</c>, else <c>credsStore</c>), else its <c>auths</c> entry; null when there are none (or no config).
    /// </summary>
    /// <exception cref="CliException">The named file is missing, or the config is not what docker writes.</exception>
    public static (string Username, string Password)? Find(string registry, string? credsFile)
    {
        var path = credsFile ?? DefaultPath();
        if (path is null || (credsFile is null && !File.Exists(path)))
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the docker config {path}: {ex.Message}");
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var keys = registry == "docker.io" ? DockerHubKeys : [registry];
            var root = document.RootElement;

            // As docker: a helper named for the registry in credHelpers, else the credsStore, else the auths entry.
            var serverUrl = registry == "docker.io" ? DockerHubKeys[0] : registry;
            if (Field(root, "credHelpers") is { ValueKind: JsonValueKind.Object } helpers
                && helpers.EnumerateObject().FirstOrDefault(h => keys.Contains(h.Name) || keys.Contains(HostOf(h.Name))) is { Value.ValueKind: JsonValueKind.String } named)
            {
                return DockerCredentialHelper.Get(named.Value.GetString()!, serverUrl, $"{path}: credHelpers.{named.Name}");
            }

            if (Field(root, "credsStore") is { ValueKind: JsonValueKind.String } store && store.GetString() is { Length: > 0 } storeName)
            {
                return DockerCredentialHelper.Get(storeName, serverUrl, $"{path}: credsStore");
            }

            var auths = Field(root, "auths") ?? default;
            if (auths.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var entry in auths.EnumerateObject())
            {
                if (keys.Contains(entry.Name) || keys.Contains(HostOf(entry.Name)))
                {
                    return Credentials(entry.Value, $"{path}: auths.{entry.Name}");
                }
            }

            return null;
        }
        catch (JsonException ex)
        {
            throw new CliException($"the docker config {path} is not JSON: {ex.Message.Split('\n')[0]}");
        }
    }

    private static JsonElement? Field(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) ? value : null;

    // docker's ConvertToHostname: a key may be a URL (https://host:port/v1/) or a bare host[:port].
    private static string HostOf(string key)
    {
        var rest = key.Contains("://", StringComparison.Ordinal) ? key[(key.IndexOf("://", StringComparison.Ordinal) + 3)..] : key;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? rest : rest[..slash];
    }

    private static (string, string)? Credentials(JsonElement entry, string where)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new CliException($"{where} is not an object");
        }

        if (entry.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.String && auth.GetString() is { Length: > 0 } encoded)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException)
            {
                throw new CliException($"{where}.auth is not base64 (of user:password)");
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? (decoded[..colon], decoded[(colon + 1)..]) : throw new CliException($"{where}.auth is not the base64 of user:password");
        }

        var username = entry.TryGetProperty("username", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
        var password = entry.TryGetProperty("password", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        return username is { Length: > 0 } && password is not null ? (username, password) : null;
    }

    private static string? DefaultPath() =>
        Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } directory ? Path.Combine(directory, "config.json")
        : Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? Path.Combine(home, ".docker", "config.json")
        : null;
}
