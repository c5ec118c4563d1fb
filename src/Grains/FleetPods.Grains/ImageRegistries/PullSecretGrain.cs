using FleetPods.Grains.Security;
using FleetPods.Grains.Storage;
using FleetPods.Security;

namespace FleetPods.Grains.ImageRegistries;

/// <summary>
/// The registry pull secrets, kept in the cluster's storage as the grain's state (protect the database as the
/// secrets it holds). An admin sets and removes them; the cluster's own grains read them through <see cref="IPullSecretSource"/>.
/// </summary>
internal sealed class PullSecretGrain(
    [PersistentState("pull-secrets", GrainStorage.Name)] IPersistentState<PullSecretState> state) : Grain, IPullSecretGrain, IPullSecretSource
{
    private const int MaxSecrets = 1000;
    private const int MaxFieldChars = 64 * 1024;

    async Task<RegistryPullSecretInfo> IPullSecretGrain.Set(string host, string username, string password, string? caCertificates, bool insecure)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        var caller = RequireAdmin("setting a registry pull secret");
        if (!RegistryHost.IsValid(host))
        {
            throw new FleetPodsException($"'{host}' is not a registry host (HOST or HOST:PORT, as in docker://HOST[:PORT]/REPO)");
        }

        if (username.Length is 0 or > 256 || username.Contains(':', StringComparison.Ordinal) || username.Any(char.IsControl))
        {
            throw new FleetPodsException("the user name must be 1 to 256 characters, without ':' or control characters");
        }

        if (password.Length > MaxFieldChars || caCertificates?.Length > MaxFieldChars)
        {
            throw new FleetPodsException($"the password and CA certificates are at most {MaxFieldChars} characters each");
        }

        if (caCertificates is not null && !caCertificates.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            throw new FleetPodsException("the CA certificates hold no PEM certificate");
        }

        var others = state.State.Secrets.Where(s => s.Host != host).ToArray();
        if (others.Length >= MaxSecrets)
        {
            throw new FleetPodsException($"the cluster already holds {MaxSecrets} pull secrets; remove some first");
        }

        var secret = new RegistryPullSecret(host, username, password, caCertificates, insecure, caller.Name, DateTimeOffset.UtcNow);
        state.State.Secrets = [.. others.Append(secret).OrderBy(s => s.Host, StringComparer.Ordinal)];
        await state.Save(this);
        return secret.Describe();
    }

    Task<IReadOnlyList<RegistryPullSecretInfo>> IPullSecretGrain.List()
    {
        RequireAdmin("listing registry pull secrets");
        return Task.FromResult<IReadOnlyList<RegistryPullSecretInfo>>([.. state.State.Secrets.Select(s => s.Describe())]);
    }

    async Task<RegistryPullSecretInfo> IPullSecretGrain.Remove(string host)
    {
        RequireAdmin("removing a registry pull secret");
        var secret = state.State.Secrets.FirstOrDefault(s => s.Host == host) ?? throw new FleetPodsException($"no pull secret for registry '{host}'");
        state.State.Secrets = [.. state.State.Secrets.Where(s => s.Host != host)];
        await state.Save(this);
        return secret.Describe();
    }

    Task<RegistryPullSecret?> IPullSecretSource.Find(string host) => Task.FromResult(state.State.Secrets.FirstOrDefault(s => s.Host == host));

    private static Caller RequireAdmin(string what)
    {
        var caller = CallerContext.Current;
        return caller.Holds(Role.Admin)
            ? caller
            : throw new AccessDeniedException($"{what} needs the admin role; you are {caller.Name} ({caller.Role.ToString().ToLowerInvariant()})", Role.Admin);
    }
}
