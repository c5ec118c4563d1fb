using Xunit.Abstractions;
using Xunit;
using Xunit.Sdk;

namespace FleetPods.Tests;

/// <summary>
/// Finds the tests of <see cref="RequiresFactAttribute"/> and <see cref="RequiresTheoryAttribute"/> as xunit's own
/// discoverers do when what they need (theirs and their class's <see cref="RequiresAttribute"/>) is here; when it is
/// not, the test is skipped with the reason, or, under FLEETPODS_TESTS_REQUIRE_ALL=1, fails with it: CI runs everything.
/// </summary>
public sealed class RequiresTestCaseDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer facts = new(diagnostics);
    private readonly TheoryDiscoverer theories = new(diagnostics);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(discoveryOptions);
        ArgumentNullException.ThrowIfNull(testMethod);
        ArgumentNullException.ThrowIfNull(factAttribute);
        var needs = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresAttribute))
            .Aggregate(RequiresTraitDiscoverer.NeedsOf(factAttribute), (all, more) => all | RequiresTraitDiscoverer.NeedsOf(more));
        if (Prerequisites.Missing(needs) is { } missing)
        {
            return Prerequisites.RequireAll
                ? [new ExecutionErrorTestCase(diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod,
                    $"{missing} ({Prerequisites.RequireAllVariable}=1: no test may be skipped)")]
                : [new XunitSkippedDataRowTestCase(diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, missing)];
        }

        return testMethod.Method.GetCustomAttributes(typeof(TheoryAttribute)).Any()
            ? theories.Discover(discoveryOptions, testMethod, factAttribute)
            : facts.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
