namespace FleetPods.Grains;

/// <summary>
/// An OpenPGP public key the cluster trusts to sign the images whose names lie under <paramref name="Prefix"/>
/// (rkt's <c>trust --prefix</c>); the empty prefix is rkt's <c>--root</c>, every name.
/// </summary>
/// <param name="Fingerprint">The primary key's fingerprint, upper-case hex without spaces.</param>
/// <param name="ArmoredKey">The key as <c>gpg --armor --export</c> wrote it.</param>
/// <param name="UserIds">The key's user ids, for people to recognise it.</param>
/// <param name="AddedBy">The admin who trusted it.</param>
[GenerateSerializer, Immutable]
public sealed record TrustedKey(
    [property: Id(0)] string Prefix,
    [property: Id(1)] string Fingerprint,
    [property: Id(2)] string ArmoredKey,
    [property: Id(3)] string[] UserIds,
    [property: Id(4)] string AddedBy,
    [property: Id(5)] DateTimeOffset AddedAt);
