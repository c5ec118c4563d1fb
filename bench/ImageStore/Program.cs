using System.Diagnostics;
using System.Globalization;
using System.Text;
using FleetPods.NodeRuntime;
using Microsoft.Extensions.Logging.Abstractions;
using static Tmds.Linux.LibC;

// Times the image store in-process, where a whole-command timer would mostly measure .NET's start-up:
//   image-store-bench import IMAGE SCRATCH RUNS   -> median wall time of a cold import (verify + extract) into a fresh store
//   image-store-bench render IMAGE SCRATCH RUNS   -> median time to prepare another pod's rootfs from the cached image:
//                                                    its layers looked up, upper and work dirs made, the overlay mounted
//   image-store-bench verify ACI KEY.asc RUNS     -> median time of the signature check a network fetch runs: ACI.asc
//                                                    against KEY (trusted for every name), over the whole file
if (args is ["verify", var aci, var key, var verifyRuns])
{
    var signature = await File.ReadAllBytesAsync(aci + ".asc");
    FleetPods.NodeRuntime.Images.Trust.TrustedSigningKey[] trusted = [new("", await File.ReadAllTextAsync(key))];
    var verified = new List<double>();
    for (var i = 0; i < int.Parse(verifyRuns, CultureInfo.InvariantCulture); i++)
    {
        var clock = Stopwatch.StartNew();
        await FleetPods.NodeRuntime.Images.Trust.DetachedSignature.VerifyAsync(aci, signature, "bench", trusted, aci, "", CancellationToken.None);
        verified.Add(clock.Elapsed.TotalMilliseconds);
    }

    verified.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"mode\":\"verify\",\"runs\":{verified.Count},\"median_ms\":{verified[verified.Count / 2]:0.00},\"min_ms\":{verified[0]:0.00},\"max_ms\":{verified[^1]:0.00}}}"));
    return 0;
}

if (args.Length != 4 || args[0] is not ("import" or "render"))
{
    Console.Error.WriteLine("usage: image-store-bench import|render IMAGE SCRATCH RUNS, or verify ACI KEY.asc RUNS");
    return 2;
}

var (mode, image, scratch, runs) = (args[0], args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
var times = new List<double>();
if (mode == "import")
{
    for (var i = 0; i < runs; i++)
    {
        var data = Path.Combine(scratch, $"import-{i}");
        await using (var runtime = new PodRuntime(new NodeRuntimeOptions(data), NullLogger<PodRuntime>.Instance))
        {
            var clock = Stopwatch.StartNew();
            await runtime.Images.ImportAsync(image);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        Directory.Delete(data, recursive: true);
    }
}
else
{
    var data = Path.Combine(scratch, "render");
    await using var runtime = new PodRuntime(new NodeRuntimeOptions(data), NullLogger<PodRuntime>.Instance);
    var record = await runtime.Images.ImportAsync(image);
    for (var i = 0; i < runs; i++)
    {
        var pod = Path.Combine(data, "bench-pods", i.ToString(CultureInfo.InvariantCulture));
        var clock = Stopwatch.StartNew();
        var lowers = await runtime.Images.PrepareLayersAsync(record, CancellationToken.None);
        foreach (var part in new[] { "upper", "work", "rootfs" })
        {
            Directory.CreateDirectory(Path.Combine(pod, part));
        }

        Mount(Path.Combine(pod, "rootfs"), $"lowerdir={string.Join(':', lowers)},upperdir={pod}/upper,workdir={pod}/work");
        times.Add(clock.Elapsed.TotalMilliseconds);
        Unmount(Path.Combine(pod, "rootfs"));
    }
}

times.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"mode\":\"{mode}\",\"runs\":{runs},\"median_ms\":{times[times.Count / 2]:0.00},\"min_ms\":{times[0]:0.00},\"max_ms\":{times[^1]:0.00}}}"));
return 0;

static unsafe void Mount(string at, string options)
{
    fixed (byte* source = "overlay\0"u8, target = Encoding.UTF8.GetBytes(at + "\0"), data = Encoding.UTF8.GetBytes(options + "\0"))
    {
        if (mount(source, target, source, 0, data) != 0)
        {
            throw new IOException($"overlay mount failed: errno {errno}");
        }
    }
}

static unsafe void Unmount(string at)
{
    fixed (byte* target = Encoding.UTF8.GetBytes(at + "\0"))
    {
        _ = umount2(target, 2);
    }
}
