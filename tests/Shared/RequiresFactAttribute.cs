using Xunit;
using Xunit.Sdk;

namespace FleetPods.Tests;

/// <summary>
/// A fact that needs something of the machine (root, PostgreSQL, qemu): skipped with the reason when it is missing,
/// failed with the same reason under FLEETPODS_TESTS_REQUIRE_ALL=1 (see <see cref="RequiresTestCaseDiscoverer"/>),
/// and traited <c>Requires=root|postgres|qemu</c> (<c>dotnet test --filter "Requires!=root"</c>).
/// </summary>
[XunitTestCaseDiscoverer("FleetPods.Tests.RequiresTestCaseDiscoverer", "FleetPods.Tests.Shared")]
[TraitDiscoverer("FleetPods.Tests.RequiresTraitDiscoverer", "FleetPods.Tests.Shared")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresFactAttribute : FactAttribute, ITraitAttribute
{
    public RequiresFactAttribute(Requires needs)
    {
        Needs = needs;
    }

    public Requires Needs { get; }
}
