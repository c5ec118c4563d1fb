using Xunit;
using Xunit.Sdk;

namespace FleetPods.Tests;

/// <summary>A theory that needs something of the machine; see <see cref="RequiresFactAttribute"/>.</summary>
[XunitTestCaseDiscoverer("FleetPods.Tests.RequiresTestCaseDiscoverer", "FleetPods.Tests.Shared")]
[TraitDiscoverer("FleetPods.Tests.RequiresTraitDiscoverer", "FleetPods.Tests.Shared")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresTheoryAttribute : TheoryAttribute, ITraitAttribute
{
    public RequiresTheoryAttribute(Requires needs)
    {
        Needs = needs;
    }

    public Requires Needs { get; }
}
