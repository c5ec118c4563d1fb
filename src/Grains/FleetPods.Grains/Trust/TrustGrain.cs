using System.Globalization;
using FleetPods.Grains.Security;
using FleetPods.Grains.Storage;
using FleetPods.Security;

namespace FleetPods.Grains.Trust;

public sealed class TrustGrain(
    [PersistentState("trust", GrainStorage.Name)] IPersistentState<TrustState> state) : Grain, ITrustGrain
{
    // Enough for every team's prefix of a large cluster; the list travels to a node at every signed fetch.
    private const int MaxKeys = 1000;

    async Task<TrustedKey> ITrustGrain.Add(string prefix, string fingerprint, string armoredKey, string[] userIds)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(armoredKey);
        ArgumentNullException.ThrowIfNull(userIds);
        var caller = RequireAdmin("trusting a signing key");
        if (!TrustPrefix.IsValid(prefix))
        {
            throw new FleetPodsException($"prefix '{prefix}' is not {TrustPrefix.Rule}");
        }

        var normalized = Fingerprint(fingerprint);
        var others = state.State.Keys.Where(k => !(k.Prefix == prefix && k.Fingerprint == normalized)).ToArray();
        if (others.Length >= MaxKeys)
        {
            throw new FleetPodsException($"the cluster already trusts {MaxKeys} keys; remove some first ('fleetpods trust rm')");
        }

        var key = new TrustedKey(prefix, normalized, armoredKey, userIds, caller.Name, DateTimeOffset.UtcNow);
        state.State.Keys = [.. others.Append(key).OrderBy(k => k.Prefix, StringComparer.Ordinal).ThenBy(k => k.Fingerprint, StringComparer.Ordinal)];
        await state.Save(this);
        return key;
    }

    Task<IReadOnlyList<TrustedKey>> ITrustGrain.List() => Task.FromResult<IReadOnlyList<TrustedKey>>(state.State.Keys);

    Task<IReadOnlyList<TrustedKey>> ITrustGrain.RemoveKey(string fingerprint)
    {
        RequireAdmin("removing a trusted key");
        var normalized = Fingerprint(fingerprint);
        return Remove(k => k.Fingerprint == normalized, $"no trusted key has the fingerprint {normalized}");
    }

    Task<IReadOnlyList<TrustedKey>> ITrustGrain.RemovePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        RequireAdmin("removing trusted keys");
        return Remove(k => k.Prefix == prefix, prefix.Length == 0 ? "no key is trusted for every name (--root)" : $"no key is trusted for the prefix '{prefix}'");
    }

    private async Task<IReadOnlyList<TrustedKey>> Remove(Func<TrustedKey, bool> removed, string nothing)
    {
        var gone = state.State.Keys.Where(removed).ToArray();
        if (gone.Length == 0)
        {
            throw new FleetPodsException(nothing);
        }

        state.State.Keys = [.. state.State.Keys.Where(k => !removed(k))];
        await state.Save(this);
        return gone;
    }

    private static Caller RequireAdmin(string what)
    {
        var caller = CallerContext.Current;
        return caller.Holds(Role.Admin)
            ? caller
            : throw new AccessDeniedException($"{what} needs the admin role; you are {caller.Name} ({caller.Role.ToString().ToLowerInvariant()})", Role.Admin);
    }

    // gpg prints fingerprints in groups of four; a v4 key's is 40 hex digits, a v5 or v6 key's 64.
    private static string Fingerprint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hex = text.Replace(" ", "", StringComparison.Ordinal).ToUpper(CultureInfo.InvariantCulture);
        return hex.Length is 40 or 64 && hex.All(char.IsAsciiHexDigit)
            ? hex
            : throw new FleetPodsException($"'{text}' is not a key fingerprint (40 or 64 hex digits, as 'gpg --fingerprint' prints)");
    }
}
