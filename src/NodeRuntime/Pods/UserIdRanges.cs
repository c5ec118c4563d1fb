using System.Globalization;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// Ranges of 65536 host user and group ids for pods with their own user namespace, leased machine-wide so no
/// two running pods share one. Ranges start at 8 × 65536 (524288), above the ids a distribution hands out, and
/// are whole multiples of 65536, so a host id tells its pod's range at a glance.
/// </summary>
internal sealed class UserIdRanges(HostLeases leases)
{
    public const long Size = 65536;
    private const int First = 8;
    private const int Last = 32766;

    public long Allocate(PodDirectory pod)
    {
        for (var range = First; range <= Last; range++)
        {
            if (leases.TryTake(Lease(range), pod))
            {
                return range * Size;
            }
        }

        throw new PodLaunchException("every range of user ids for private users is taken on this node");
    }

    public void Release(long uidBase, PodDirectory pod) => leases.Release(Lease((int)(uidBase / Size)), pod);

    private static string Lease(int range) => "uids-" + range.ToString(CultureInfo.InvariantCulture);
}
