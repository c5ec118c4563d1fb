using FleetPods.Grains.Security;

namespace FleetPods.Grains.Tests.Security;

/// <summary>The --pod-policy file: host directories operators may mount; a bad file is refused with one line naming the field.</summary>
public sealed class PodPolicyFileTests
{
    [Fact]
    public void Named_host_volumes_are_read()
    {
        var policy = PodPolicyFile.Parse("p.json", """{"hostVolumes": {"data": {"path": "/srv/data", "readOnly": true}, "logs": {"path": "/var/log/app"}}}""");

        Assert.Equal(new HostVolumePolicy("/srv/data", true), policy.HostVolumes["data"]);
        Assert.Equal(new HostVolumePolicy("/var/log/app", false), policy.HostVolumes["logs"]);
    }

    [Fact]
    public void A_missing_file_is_no_exceptions()
    {
        Assert.Empty(PodPolicyFile.Load("/nonexistent/fleetpods/pod-policy.json").HostVolumes);
    }

    [Fact]
    public void A_directory_in_the_files_place_is_refused()
    {
        var directory = Directory.CreateTempSubdirectory("fleetpods-policy-dir-").FullName;
        try
        {
            Assert.Equal($"pod policy {directory}: is a directory, not a JSON file", Assert.Throws<FormatException>(() => PodPolicyFile.Load(directory)).Message);
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    [Theory]
    [InlineData("""{"hostVolume": {}}""", "p.json: hostVolume is not a pod policy field")]
    [InlineData("""{"hostVolumes": {"data": {"path": "/srv/../etc"}}}""", "p.json: hostVolumes.data.path '/srv/../etc' is not an absolute path")]
    [InlineData("""{"hostVolumes": {"data": {"path": "/"}}}""", "p.json: hostVolumes.data.path '/' is not")]
    [InlineData("""{"hostVolumes": {"data": {"path": "srv"}}}""", "p.json: hostVolumes.data.path 'srv' is not")]
    [InlineData("""{"hostVolumes": {"data": {"readOnly": true}}}""", "p.json: hostVolumes.data.path is missing")]
    [InlineData("""{"hostVolumes": {"data": {"path": "/srv", "readOnly": "yes"}}}""", "p.json: hostVolumes.data.readOnly must be true or false")]
    [InlineData("""{"hostVolumes": {"Da ta": {"path": "/srv"}}}""", "p.json: hostVolumes.Da ta a name is")]
    [InlineData("""{"hostVolumes": [1]}""", "p.json: hostVolumes must be an object")]
    [InlineData("""{"hostVolumes": """, "p.json: not JSON")]
    public void A_bad_file_is_refused_naming_the_file_and_field(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => PodPolicyFile.Parse("p.json", text));

        Assert.StartsWith("pod policy " + message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
