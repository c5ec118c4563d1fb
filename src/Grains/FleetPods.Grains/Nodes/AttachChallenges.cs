using System.Security.Cryptography;

namespace FleetPods.Grains.Nodes;

/// <summary>
/// The challenges one node grain handed out for attaching: random, each good once and for <see cref="Lifetime"/>, at
/// most <see cref="MaxOutstanding"/> at a time (a new one drops the oldest), so no caller can grow them.
/// </summary>
internal sealed class AttachChallenges(TimeProvider time)
{
    public const int Size = 32;
    public const int MaxOutstanding = 4;
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly List<(byte[] Bytes, DateTimeOffset Expires)> outstanding = [];

    public byte[] Issue()
    {
        DropExpired();
        if (outstanding.Count >= MaxOutstanding)
        {
            outstanding.RemoveAt(0);
        }

        var challenge = RandomNumberGenerator.GetBytes(Size);
        outstanding.Add((challenge, time.GetUtcNow() + Lifetime));
        return challenge;
    }

    /// <summary>Whether <paramref name="challenge"/> is outstanding; either way it is not from now on (a replay finds nothing).</summary>
    public bool Take(byte[]? challenge)
    {
        DropExpired();
        var index = challenge is { Length: Size } ? outstanding.FindIndex(c => CryptographicOperations.FixedTimeEquals(c.Bytes, challenge)) : -1;
        if (index < 0)
        {
            return false;
        }

        outstanding.RemoveAt(index);
        return true;
    }

    private void DropExpired()
    {
        var now = time.GetUtcNow();
        outstanding.RemoveAll(c => c.Expires <= now);
    }
}
