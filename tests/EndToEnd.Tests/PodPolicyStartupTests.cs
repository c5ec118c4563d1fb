namespace FleetPods.EndToEnd.Tests;

/// <summary>fleetpodsd never runs a pod policy it misread: a bad <c>--pod-policy</c> file stops it at start with one line.</summary>
public sealed class PodPolicyStartupTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("fleetpods-policy-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task A_bad_policy_file_stops_the_daemon_with_one_line_naming_the_file_and_field()
    {
        var policy = Path.Combine(work, "pod-policy.json");
        File.WriteAllText(policy, """{"hostVolumes": {"data": {"path": "/srv/data/../../etc"}}}""");

        var result = await Processes.Run("dotnet", [RepositoryLayout.Daemon, "--data-dir", Path.Combine(work, "data"), "--pod-policy", policy], TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"fleetpodsd: pod policy {policy}: hostVolumes.data.path '/srv/data/../../etc' is not an absolute path below / without '.', '..', '%', NUL or a trailing or double '/'\n", result.Stderr);
        Assert.False(Directory.Exists(Path.Combine(work, "data")));
    }
}
