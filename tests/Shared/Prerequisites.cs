namespace FleetPods.Tests;

/// <summary>
/// Which of a test's <see cref="Requires"/> this machine lacks, each with why the test needs it and how to get it.
/// Each prerequisite is looked at once per test run.
/// </summary>
public static class Prerequisites
{
    /// <summary>The variable CI sets so that a missing prerequisite fails its tests instead of skipping them.</summary>
    public const string RequireAllVariable = "FLEETPODS_TESTS_REQUIRE_ALL";

    private static readonly Lazy<string?> Root = new(() => EffectiveUid() == 0
        ? null
        : "needs root: it makes namespaces, mounts, cgroups or network devices as a node does (run dotnet test as root)");

    private static readonly Lazy<string?> Postgres = new(() => TestPostgresServer.Unreachable().GetAwaiter().GetResult() is { } why
        ? $"needs PostgreSQL: {why} (run deploy/start-postgres.sh, or set FLEETPODS_TEST_POSTGRES)"
        : null);

    private static readonly Lazy<string?> Qemu = new(() => File.Exists(QemuPath)
        ? null
        : $"needs qemu: stage1 kvm boots microVMs with {QemuPath}, which is not installed (deploy/install-deps.sh installs it)");

    private const string QemuPath = "/usr/bin/qemu-system-x86_64";

    private static readonly Lazy<string?> Registry = new(() => new[] { TestRegistry.Binary, "/usr/bin/skopeo", "/usr/bin/umoci" }.FirstOrDefault(p => !File.Exists(p)) is { } missing
        ? $"needs a registry and the tools that fill it: {missing} is not installed (deploy/install-deps.sh installs docker-registry, skopeo and umoci)"
        : null);

    private static readonly Lazy<string?> Gpg = new(() => new[] { "/usr/bin/gpg", "/usr/bin/gpgconf" }.FirstOrDefault(p => !File.Exists(p)) is { } missing
        ? $"needs GnuPG to make signing keys and sign images: {missing} is not installed (deploy/install-deps.sh installs gnupg)"
        : null);

    private static readonly Lazy<string?> GuestKernel = new(() => Directory.Exists(BuiltGuestKernels) && Directory.GetDirectories(BuiltGuestKernels).Any(d => File.Exists(System.IO.Path.Combine(d, "vmlinux")))
        ? null
        : $"needs the guest kernel built for stage1 kvm: none in {BuiltGuestKernels} (run deploy/build-guest-kernel.sh; deploy/test.sh does)");

    /// <summary>Where deploy/build-guest-kernel.sh keeps the kernels it built, and fleetpodsd looks for them.</summary>
    public const string BuiltGuestKernels = "/var/cache/fleetpods/guest-kernel";

    /// <summary>True when $FLEETPODS_TESTS_REQUIRE_ALL is 1: no test may be skipped.</summary>
    public static bool RequireAll => Environment.GetEnvironmentVariable(RequireAllVariable) == "1";

    /// <summary>Why a test that needs <paramref name="needs"/> cannot run here, or null when it can.</summary>
    public static string? Missing(Requires needs)
    {
        var missing = new List<string>();
        foreach (var (need, reason) in new[] { (Requires.Root, Root), (Requires.Postgres, Postgres), (Requires.Qemu, Qemu), (Requires.Registry, Registry), (Requires.Gpg, Gpg), (Requires.GuestKernel, GuestKernel) })
        {
            if (needs.HasFlag(need) && reason.Value is { } why)
            {
                missing.Add(why);
            }
        }

        return missing.Count == 0 ? null : string.Join("; ", missing);
    }

    // The effective uid, from the "Uid:" line of /proc/self/status (real, effective, saved, filesystem).
    private static int EffectiveUid() =>
        int.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
}
