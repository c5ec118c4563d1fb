using System.IO.Compression;
using SharpCompress.Compressors.Xz;

namespace FleetPods.NodeRuntime.Kvm;

/// <summary>
/// The kernel modules the guest's init needs, from the guest kernel's own <c>/lib/modules/RELEASE</c>, in the order
/// they load: each after its dependencies (from <c>modules.dep</c>). Debian builds virtio-mmio, the virtio-serial
/// console, 9p and virtio-net as modules; a kernel that has one built in (<c>modules.builtin</c>) simply needs less.
/// </summary>
internal static class GuestModules
{
    /// <summary>virtio-mmio is the microvm's bus; virtio_console gives the serial ports; 9pnet_virtio and 9p the shares; virtio_net (with net_failover and failover) the network device.</summary>
    public static readonly IReadOnlyList<string> Needed = ["virtio_mmio", "virtio_console", "9pnet_virtio", "9p", "virtio_net"];

    /// <summary>The modules to load, dependencies first: name (as the kernel calls it) and file.</summary>
    /// <exception cref="PodLaunchException">A needed module is neither built in nor in the modules directory.</exception>
    public static IReadOnlyList<(string Name, string File)> Resolve(string modulesDirectory)
    {
        var dependencies = new Dictionary<string, (string File, string[] Needs)>(StringComparer.Ordinal);
        var depFile = Path.Combine(modulesDirectory, "modules.dep");
        if (File.Exists(depFile))
        {
            foreach (var line in File.ReadLines(depFile))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    var needs = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(NameOf).ToArray();
                    dependencies[NameOf(line[..colon])] = (line[..colon], needs);
                }
            }
        }

        var builtinFile = Path.Combine(modulesDirectory, "modules.builtin");
        var builtin = File.Exists(builtinFile) ? File.ReadLines(builtinFile).Select(NameOf).ToHashSet(StringComparer.Ordinal) : [];
        var order = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in Needed)
        {
            Visit(name);
        }

        return order;

        void Visit(string name)
        {
            if (!seen.Add(name) || builtin.Contains(name))
            {
                return;
            }

            if (!dependencies.TryGetValue(name, out var module))
            {
                throw new PodLaunchException($"stage1 kvm: the guest kernel has no module {name} in {modulesDirectory} (install the kernel's modules, or a kernel with it built in)");
            }

            foreach (var need in module.Needs)
            {
                Visit(need);
            }

            order.Add((name, Path.Combine(modulesDirectory, module.File)));
        }
    }

    /// <summary>Writes the module uncompressed: the guest's init loads it with finit_module, which takes no compressed file on every kernel.</summary>
    public static async Task CopyUncompressedAsync(string source, string target, CancellationToken cancellationToken)
    {
        await using var input = File.OpenRead(source);
        await using Stream plain = Path.GetExtension(source) switch
        {
            ".xz" => new XZStream(input),
            ".gz" => new GZipStream(input, CompressionMode.Decompress),
            ".ko" => input,
            _ => throw new PodLaunchException($"stage1 kvm: module {source} is compressed in a way FleetPods does not read (plain, .xz and .gz are read)"),
        };
        await using var output = File.Create(target);
        await plain.CopyToAsync(output, cancellationToken);
    }

    // kernel/fs/9p/9p.ko.xz -> 9p; the kernel treats '-' and '_' in module names alike and reports '_'.
    private static string NameOf(string path)
    {
        var name = Path.GetFileName(path.Trim());
        var ko = name.IndexOf(".ko", StringComparison.Ordinal);
        return (ko >= 0 ? name[..ko] : name).Replace('-', '_');
    }
}
