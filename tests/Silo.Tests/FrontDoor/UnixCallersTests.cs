using FleetPods.Security;
using FleetPods.Silo.FrontDoor;

namespace FleetPods.Silo.Tests.FrontDoor;

/// <summary>Roles of local users, from the groups their connection holds and the machine's account files.</summary>
public sealed class UnixCallersTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("fleetpods-accounts-");
    private readonly UnixCallers callers;

    public UnixCallersTests()
    {
        Directory.CreateDirectory(Path.Combine(root.FullName, "etc"));
        File.WriteAllText(Path.Combine(root.FullName, "etc/passwd"), "root:x:0:0:root:/root:/bin/bash\nalice:x:1001:1001::/home/alice:/bin/sh\nbob:x:1002:1002::/home/bob:/bin/sh\neve:x:1003:1003::/home/eve:/bin/sh\n");
        File.WriteAllText(Path.Combine(root.FullName, "etc/group"), "root:x:0:\nfleetpods-operators:x:2001:alice\n# a comment\nfleetpods-readers:x:2002:eve\n");
        callers = new UnixCallers(new UnixAccounts(root.FullName));
    }

    [Fact]
    public void Root_is_an_admin_whatever_its_groups() =>
        Assert.Equal(new ApiCaller("root", Role.Admin, ApiChannel.Socket), callers.Identify(new PeerCredentials(1, 0, 0, [])));

    [Fact]
    public void A_supplementary_group_makes_an_operator_or_a_reader_and_operator_wins() =>
        Assert.Equal(
            [Role.Operator, Role.Reader, Role.Operator],
            new[] { new PeerCredentials(1, 1001, 1001, [1001, 2001]), new PeerCredentials(1, 1003, 1003, [2002]), new PeerCredentials(1, 1003, 1003, [2002, 2001]) }
                .Select(p => callers.Identify(p).Role!.Value));

    [Fact]
    public void The_primary_group_counts_too() =>
        Assert.Equal(Role.Reader, callers.Identify(new PeerCredentials(1, 1002, 2002, [])).Role);

    [Fact]
    public void A_member_by_the_account_files_whose_process_dropped_the_group_holds_no_role() =>
        Assert.Equal(new ApiCaller("alice", null, ApiChannel.Socket), callers.Identify(new PeerCredentials(1, 1001, 1001, [1001])));

    [Fact]
    public void A_user_without_an_account_is_named_by_uid() =>
        Assert.Equal("uid 4242 (no role)", callers.Identify(new PeerCredentials(1, 4242, 4242, [])).Describe());

    public void Dispose() => root.Delete(recursive: true);
}
