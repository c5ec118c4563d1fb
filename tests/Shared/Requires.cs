namespace FleetPods.Tests;

/// <summary>What a test needs of the machine beyond a built tree; see <see cref="RequiresFactAttribute"/>.</summary>
[Flags]
public enum Requires
{
    /// <summary>Root: it makes namespaces, mounts, cgroups, network devices or device nodes, as pods do.</summary>
    Root = 1,

    /// <summary>The test PostgreSQL (deploy/start-postgres.sh, or $FLEETPODS_TEST_POSTGRES).</summary>
    Postgres = 2,

    /// <summary>qemu-system-x86_64, for stage1 kvm's microVMs.</summary>
    Qemu = 4,

    /// <summary>Debian's docker-registry (the distribution registry), skopeo and umoci, for registry pulls.</summary>
    Registry = 8,

    /// <summary>GnuPG (gpg, gpgconf), which makes the keys and signatures of the image trust tests.</summary>
    Gpg = 16,

    /// <summary>The guest kernel deploy/build-guest-kernel.sh builds for stage1 kvm, in its cache.</summary>
    GuestKernel = 32,
}
