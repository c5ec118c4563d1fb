using FleetPods.Security;

namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// The role of a local user, from the credentials the kernel gives for their connection: root is an admin, a member
/// of <c>fleetpods-operators</c> an operator, of <c>fleetpods-readers</c> a reader; anyone else holds no role.
/// </summary>
public sealed class UnixCallers(UnixAccounts accounts)
{
    public const string OperatorsGroup = "fleetpods-operators";
    public const string ReadersGroup = "fleetpods-readers";

    public ApiCaller Identify(PeerCredentials peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var name = accounts.UserName(peer.Uid);
        if (peer.Uid == 0)
        {
            return new ApiCaller(name, Role.Admin, ApiChannel.Socket);
        }

        var role = IsMember(peer, OperatorsGroup) ? Role.Operator : IsMember(peer, ReadersGroup) ? Role.Reader : (Role?)null;
        return new ApiCaller(name, role, ApiChannel.Socket);
    }

    // The groups the connecting process holds, primary and supplementary, not what the account files list:
    // a process that dropped a group (newgrp, setpriv) no longer acts with it.
    private bool IsMember(PeerCredentials peer, string group) =>
        accounts.GroupId(group) is { } gid && (peer.Gid == gid || peer.Groups.Contains(gid));
}
