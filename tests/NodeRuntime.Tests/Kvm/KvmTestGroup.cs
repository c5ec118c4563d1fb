namespace FleetPods.NodeRuntime.Tests.Kvm;

/// <summary>
/// The kvm tests run one after another: each boots a VM, which under TCG keeps a core busy for seconds, and several at
/// once on a 2-core machine would only make every boot slower than the launch timeouts allow.
/// </summary>
[CollectionDefinition(Name)]
public sealed class KvmTestGroup : ICollectionFixture<KvmGuest>, ICollectionFixture<BusyboxAci>
{
    public const string Name = "kvm";
}
