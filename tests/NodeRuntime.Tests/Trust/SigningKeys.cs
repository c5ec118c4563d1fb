namespace FleetPods.NodeRuntime.Tests.Trust;

/// <summary>Two real GnuPG keys per test class: Alice publishes example.com/app; Mallory is anyone else.</summary>
public sealed class SigningKeys : IDisposable
{
    public SigningKeys()
    {
        if (Prerequisites.Missing(Requires.Gpg) is not null)
        {
            return;
        }

        Gpg = new TestGpg();
        Alice = Gpg.NewKey("Alice <alice@example.com>");
        Mallory = Gpg.NewKey("Mallory <mallory@example.net>");
    }

    public TestGpg Gpg { get; } = null!;

    public string Alice { get; } = "";

    public string Mallory { get; } = "";

    public void Dispose() => Gpg?.Dispose();
}
