using FleetPods.NodeRuntime.Pods;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>
/// <c>pod.json</c>, which a restarted daemon reads to learn what each pod it finds runs and holds, is written whole
/// (a temporary file flushed and renamed); a half file, which the old in-place write could leave, reads as none.
/// </summary>
public sealed class PodRecordFileTests
{
    [Fact]
    public async Task The_record_round_trips_and_its_write_leaves_no_temporary_file()
    {
        using var root = new TestDirectory();
        var pod = new PodDirectory(root.Path);
        var request = new PodLaunchRequest("pod-1", "sha512-abc", new PodAppRequest("app", ["/bin/sleep", "1000"], [], null, "0", "0")) { PrivateUsers = true };
        var isolation = new PodIsolation(Stage1Flavor.Ns, PodNetworkMode.None, null, ["/sys/fs/cgroup/memory/fleetpods/pod-1"], null, 524288);
        var created = new DateTimeOffset(2026, 12, 5, 9, 30, 0, TimeSpan.Zero);

        await pod.WriteRecord(new PodRecord(request, ["/bin/sleep", "1000"], created) { Isolation = isolation }, CancellationToken.None);

        Assert.Equal(["pod.json"], Directory.GetFileSystemEntries(root.Path).Select(Path.GetFileName));
        var read = pod.ReadRecord()!;
        Assert.Equal(("pod-1", "sha512-abc", true, created), (read.Request.PodId, read.Request.ImageDigest, read.Request.PrivateUsers, read.CreatedAt));
        Assert.Equal(["/bin/sleep", "1000"], read.Exec);
        Assert.Equal(524288, read.Isolation!.UidBase);
        Assert.Equal(isolation.Cgroups, read.Isolation.Cgroups);
    }

    [Fact]
    public async Task A_second_write_replaces_the_record_whole()
    {
        using var root = new TestDirectory();
        var pod = new PodDirectory(root.Path);
        var request = new PodLaunchRequest("pod-2", "sha512-abc", new PodAppRequest("app", ["/bin/true"], [], null, null, null));
        await File.WriteAllTextAsync(pod.Record, new string('x', 100_000));

        await pod.WriteRecord(new PodRecord(request, ["/bin/true"], DateTimeOffset.UnixEpoch), CancellationToken.None);

        Assert.Equal("pod-2", pod.ReadRecord()!.Request.PodId);
        Assert.Equal(["pod.json"], Directory.GetFileSystemEntries(root.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_half_written_record_reads_as_none_rather_than_failing_recovery()
    {
        using var root = new TestDirectory();
        var pod = new PodDirectory(root.Path);
        var request = new PodLaunchRequest("pod-3", "sha512-abc", new PodAppRequest("app", ["/bin/true"], [], null, null, null));
        await pod.WriteRecord(new PodRecord(request, ["/bin/true"], DateTimeOffset.UnixEpoch), CancellationToken.None);
        var whole = await File.ReadAllBytesAsync(pod.Record);

        await File.WriteAllBytesAsync(pod.Record, whole[..(whole.Length / 2)]);

        Assert.Null(pod.ReadRecord());
    }
}
