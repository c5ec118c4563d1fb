using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace FleetPods.NodeRuntime.Kvm;

/// <summary>
/// Decides once per node, kernel and qemu whether KVM can boot the guest: a /dev/kvm that exists may still be unusable
/// (these machines' nested kvm-pvm hangs the stock Debian kernel before its first message), so a probe boots the real
/// kernel and initramfs on KVM with <c>fleetpods.probe</c>, which makes our init power off at once, and takes KVM only
/// if the VM ends well within the timeout; otherwise TCG. The answer is kept in a file of the node's data directory
/// named by the kernel's and qemu's identity (path, size, time), so a new kernel or qemu is probed again.
/// </summary>
internal sealed class AcceleratorProbe(string cacheDirectory, string qemu, TimeSpan timeout, ILogger logger)
{
    /// <summary>The answer already recorded for this kernel and qemu, or null when none has been probed.</summary>
    public KvmAccelerator? Recorded(GuestKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var record = RecordPath(kernel);
        return File.Exists(record) && Enum.TryParse<KvmAccelerator>(File.ReadAllText(record).Trim(), ignoreCase: true, out var known) ? known : null;
    }

    /// <summary>KVM or TCG for this kernel, probed now if not recorded yet.</summary>
    public async Task<KvmAccelerator> ProbeAsync(GuestKernel kernel, string initramfs, CancellationToken cancellationToken)
    {
        if (Recorded(kernel) is { } known)
        {
            return known;
        }

        var stopwatch = Stopwatch.StartNew();
        var answer = File.Exists("/dev/kvm") && await BootsOnKvm(kernel, initramfs, cancellationToken) ? KvmAccelerator.Kvm : KvmAccelerator.Tcg;
        logger.LogInformation("Stage1 kvm: {Accelerator} for kernel {Kernel} (probed in {Elapsed} ms)", answer, kernel.Release, stopwatch.ElapsedMilliseconds);
        Directory.CreateDirectory(cacheDirectory);
        var record = RecordPath(kernel);
        var temporary = $"{record}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllTextAsync(temporary, answer.ToString().ToLowerInvariant() + "\n", cancellationToken);
        File.Move(temporary, record, overwrite: true);
        return answer;
    }

    private async Task<bool> BootsOnKvm(GuestKernel kernel, string initramfs, CancellationToken cancellationToken)
    {
        var arguments = QemuCommandLine.Machine(qemu, KvmAccelerator.Kvm, kernel, initramfs, 128, 1, "fleetpods.probe");
        var start = new ProcessStartInfo(arguments[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var probe = Process.Start(start) ?? throw new PodLaunchException($"{qemu} did not start");
        var output = probe.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = probe.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await probe.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            probe.Kill();
            await probe.WaitForExitAsync(CancellationToken.None);
            logger.LogInformation("Stage1 kvm: the guest did not boot on KVM within {Timeout} s", timeout.TotalSeconds);
            return false;
        }

        await Task.WhenAll(output, errors);
        if (probe.ExitCode != 0)
        {
            logger.LogInformation("Stage1 kvm: qemu on KVM failed ({Code}): {Errors}", probe.ExitCode, (await errors).Trim());
        }

        return probe.ExitCode == 0;
    }

    private string RecordPath(GuestKernel kernel)
    {
        var identity = string.Join('\n', new[] { kernel.Path, qemu }.Select(path =>
        {
            var file = new FileInfo(path);
            return $"{path} {(file.Exists ? file.Length : -1)} {(file.Exists ? file.LastWriteTimeUtc.Ticks : 0)}";
        }));
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
        return Path.Combine(cacheDirectory, $"accelerator-{kernel.Release}-{key}");
    }
}
