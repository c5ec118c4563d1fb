using Xunit.Abstractions;
using Xunit.Sdk;

namespace FleetPods.Tests;

/// <summary>Gives a test of <see cref="RequiresFactAttribute"/> or <see cref="RequiresTheoryAttribute"/> one trait <c>Requires=root|postgres|qemu</c> per need.</summary>
public sealed class RequiresTraitDiscoverer : ITraitDiscoverer
{
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute)
    {
        var needs = NeedsOf(traitAttribute);
        return Enum.GetValues<Requires>().Where(n => needs.HasFlag(n)).Select(n => new KeyValuePair<string, string>("Requires", n.ToString().ToLowerInvariant()));
    }

    // The attribute's one constructor argument; xunit hands an enum over as its underlying integer.
    internal static Requires NeedsOf(IAttributeInfo attribute) =>
        (Requires)Convert.ToInt32(attribute.GetConstructorArguments().Single(), System.Globalization.CultureInfo.InvariantCulture);
}
