using Xunit.Sdk;

namespace FleetPods.Tests;

/// <summary>
/// What every <see cref="RequiresFactAttribute"/> and <see cref="RequiresTheoryAttribute"/> test of a class needs
/// on top of its own, e.g. qemu for the stage1 conformance suite's kvm flavor; traited as they are.
/// </summary>
[TraitDiscoverer("FleetPods.Tests.RequiresTraitDiscoverer", "FleetPods.Tests.Shared")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RequiresAttribute(Requires needs) : Attribute, ITraitAttribute
{
    public Requires Needs { get; } = needs;
}
