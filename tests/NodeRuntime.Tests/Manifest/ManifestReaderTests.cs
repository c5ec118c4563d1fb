using System.Diagnostics;
using System.Text;
using CsCheck;
using FleetPods.Grains;
using FleetPods.NodeRuntime.Pods;

namespace FleetPods.NodeRuntime.Tests.Manifest;

/// <summary>
/// The one C reader of the pod manifest (Native/manifest.c, in fleetpods-shim and the kvm guest init), run as
/// <c>fleetpods-shim --check-manifest FILE</c>: it takes what the node writes, and refuses every malformed pod the C#
/// validator refuses (<see cref="MalformedPod"/>), naming the field, and anything else hostile without crashing.
/// </summary>
public sealed class ManifestReaderTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-manifest-").FullName;

    public static TheoryData<string> Cases() => [.. MalformedPod.All.Select(c => c.Name)];

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void The_reader_takes_the_manifest_the_node_writes()
    {
        var (code, errors) = Check(ManifestSamples.Manifest().ToJsonString());

        Assert.True(code == 0, errors);
    }

    [Fact]
    public void What_the_node_writes_is_an_appc_pod_manifest_with_a_valid_extension()
    {
        Assert.Empty(PodManifestSchemas.Problems(ManifestSamples.Manifest().ToJsonString()));
    }

    // The fuzzer's seeds (deploy/fuzz-manifest.sh) stay manifests the reader and both schemas take.
    [Theory]
    [InlineData("ns-two-apps.json")]
    [InlineData("kvm-two-apps.json")]
    [InlineData("fly-tty.json")]
    public void The_fuzzing_seeds_are_good_manifests(string seed)
    {
        var file = RepositoryRoot.Combine(Path.Combine("tests", "NodeRuntime.Tests", "Manifest", "Seeds", seed));

        var (code, errors) = Run(file);

        Assert.True(code == 0, errors);
        Assert.Empty(PodManifestSchemas.Problems(File.ReadAllText(file)));
    }

    [Fact]
    public void The_schemas_can_tell_a_bad_manifest()
    {
        var manifest = ManifestSamples.Manifest();
        manifest["apps"]![0]!["name"] = "Not_An_AC_Name";
        manifest["fleetpods"]!["stage1"] = "vm";

        var problems = PodManifestSchemas.Problems(manifest.ToJsonString());

        Assert.Contains(problems, p => p.StartsWith("appc /apps/0/name", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("fleetpods /stage1", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_reader_refuses_a_malformed_pod_naming_the_field(string name)
    {
        var malformed = MalformedPod.All.Single(c => c.Name == name);
        var manifest = ManifestSamples.Manifest();
        malformed.Manifest(manifest);

        var (code, errors) = Check(manifest.ToJsonString());

        Assert.Equal(125, code);
        Assert.StartsWith($"fleetpods-shim: pod manifest: {malformed.ManifestField}: ", errors, StringComparison.Ordinal);
        Assert.Equal(1, errors.Count(c => c == '\n'));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_CSharp_validator_refuses_the_same_pod_naming_the_field(string name)
    {
        var malformed = MalformedPod.All.Single(c => c.Name == name);
        Assert.Empty(PodValidator.Validate(ManifestSamples.Spec()));

        var problem = Assert.Single(PodValidator.Validate(malformed.Spec(ManifestSamples.Spec())));

        Assert.Equal(malformed.SpecField, problem.Field);
    }

    // A kvm VM on the bridge has a tap and a MAC where an ns pod has a veth: the reader holds each flavor to its own.
    [Theory]
    [InlineData("tap", null, "fleetpods.network: 'tap' is missing")]
    [InlineData("tap", "fpt5; reboot", "fleetpods.network: tap 'fpt5; reboot' is not an interface name")]
    [InlineData("tap", "fpt12345678901234", "fleetpods.network: tap 'fpt12345678901234' is not an interface name")]
    [InlineData("mac", "03:46:50:00:00:05", "fleetpods.network: mac '03:46:50:00:00:05' is not a unicast MAC")]
    [InlineData("mac", "02:46:50:00:00:5", "fleetpods.network: mac '02:46:50:00:00:5' is not a unicast MAC")]
    [InlineData("mac", "02:46:50:00:00:05,x", "fleetpods.network: mac '02:46:50:00:00:05,x' is not a unicast MAC")]
    public void A_kvm_pod_on_the_bridge_needs_a_tap_name_and_a_unicast_mac(string field, string? value, string expected)
    {
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(RepositoryRoot.Combine(Path.Combine("tests", "NodeRuntime.Tests", "Manifest", "Seeds", "kvm-two-apps.json"))))!;
        var network = manifest["fleetpods"]!["network"]!.AsObject();
        network.Remove(field);
        if (value is not null)
        {
            network[field] = value;
        }

        var (code, errors) = Check(manifest.ToJsonString());

        Assert.Equal(125, code);
        Assert.StartsWith($"fleetpods-shim: pod manifest: {expected}", errors, StringComparison.Ordinal);
        Assert.Equal(1, errors.Count(c => c == '\n'));
    }

    [Theory]
    [InlineData("", "(document): not JSON")]
    [InlineData("[]", "(document): not a JSON object")]
    [InlineData("{\"acKind\": \"PodManifest\"} x", "(document): not JSON")]
    [InlineData("{\"acKind\": \"PodManifest\"}", "(document): 'acVersion' is missing")]
    [InlineData("{\"acKind\": \"ImageManifest\"}", "acKind: 'ImageManifest' is not PodManifest")]
    [InlineData("{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\", \"fleetpods\": {\"version\": 2}}", "fleetpods.version: not 1")]
    [InlineData("{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\", \"fleetpods\": {\"version\": 1, \"stage1\": \"vm\"}}", "fleetpods.stage1: 'vm' is not ns, fly or kvm")]
    public void Hostile_documents_are_refused_with_one_line(string text, string expected)
    {
        var (code, errors) = Check(text);

        Assert.Equal(125, code);
        Assert.StartsWith($"fleetpods-shim: pod manifest: {expected}", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_and_oversized_manifests_are_refused()
    {
        var deep = Check("{\"acKind\": " + new string('[', 100_000) + "}");
        var large = ManifestSamples.Manifest();
        large["padding"] = new string('x', 1 << 20);
        var huge = Check(large.ToJsonString());

        Assert.Equal(125, deep.Code);
        Assert.Contains("not JSON", deep.Errors, StringComparison.Ordinal);
        Assert.Equal(125, huge.Code);
        Assert.Contains("larger than 1048576 bytes", huge.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_that_is_a_link_is_not_followed()
    {
        var real = Path.Combine(directory, "real.json");
        File.WriteAllText(real, ManifestSamples.Manifest().ToJsonString());
        var link = Path.Combine(directory, "manifest.json");
        File.CreateSymbolicLink(link, real);

        var (code, errors) = Run(link);

        Assert.Equal(125, code);
        Assert.Contains("open the pod manifest", errors, StringComparison.Ordinal);
    }

    // Random damage to a good manifest: the reader takes it or refuses it in one line, and never crashes or hangs.
    [Fact]
    public void Damaged_manifests_never_crash_the_reader()
    {
        var good = Encoding.UTF8.GetBytes(ManifestSamples.Manifest().ToJsonString());
        string[] tokens = ["{", "}", "[", "]", "\"", ",", ":", "null", "-1", "1e999", "9223372036854775808", "\\u0000", "\"\\ud800\"", "true", "\u00ff"];
        var damage =
            from kind in Gen.Int[0, 3]
            from at in Gen.Int[0, good.Length - 1]
            from length in Gen.Int[1, 64]
            from token in Gen.Int[0, tokens.Length - 1].Select(i => tokens[i])
            from value in Gen.Byte
            select Damage(good, kind, at, length, token, value);

        damage.Sample(bytes =>
        {
            var (code, errors) = Check(bytes);
            Assert.True(code is 0 or 125, $"exit {code}: {errors}");
            Assert.True(code == 0 || errors.StartsWith("fleetpods-shim: ", StringComparison.Ordinal), errors);
        }, iter: 400, threads: 2);
    }

    private static byte[] Damage(byte[] good, int kind, int at, int length, string token, byte value)
    {
        var bytes = new List<byte>(good);
        switch (kind)
        {
            case 0:
                bytes[at] = value;
                break;
            case 1:
                bytes.RemoveRange(at, Math.Min(length, bytes.Count - at));
                break;
            case 2:
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(token));
                break;
            default:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
        }

        return [.. bytes];
    }

    private (int Code, string Errors) Check(string text) => Check(Encoding.UTF8.GetBytes(text));

    private (int Code, string Errors) Check(byte[] bytes)
    {
        var file = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllBytes(file, bytes);
        try
        {
            return Run(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static (int Code, string Errors) Run(string file)
    {
        var start = new ProcessStartInfo(PodSupervisor.DefaultShimPath) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("--check-manifest");
        start.ArgumentList.Add(file);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill();
            throw new TimeoutException("the reader did not end within 10 s");
        }

        return (process.ExitCode, errors.Result);
    }
}
