using FleetPods.NodeRuntime;
using Stage1Flavor = FleetPods.Grains.UnitFiles.Stage1Flavor;

namespace FleetPods.Silo;

/// <summary>
/// <c>fleetpodsd --stage1 ns,fly</c>: the stage1 flavors this node offers to the cluster's placement, so an admin can
/// keep, say, privileged fly pods or kvm pods off a machine. Absent, the node offers every flavor its machine can run.
/// </summary>
public static class Stage1Option
{
    /// <summary>The flavors named, or null for every flavor the machine can run.</summary>
    /// <exception cref="FormatException">A name is not a flavor, or none is named.</exception>
    public static IReadOnlyList<Stage1Flavor>? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var flavors = new List<Stage1Flavor>();
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var flavor = Enum.GetValues<Stage1Flavor>().Where(f => NameOf(f) == name).Cast<Stage1Flavor?>().SingleOrDefault()
                ?? throw new FormatException($"--stage1: '{name}' is not a stage1 flavor ({string.Join(", ", Enum.GetValues<Stage1Flavor>().Select(NameOf))})");
            if (!flavors.Contains(flavor))
            {
                flavors.Add(flavor);
            }
        }

        return flavors.Count > 0 ? flavors
            : throw new FormatException($"--stage1: names no flavor; give one or more of {string.Join(", ", Enum.GetValues<Stage1Flavor>().Select(NameOf))}, or leave it out for every flavor this machine can run");
    }

    /// <summary>The flavors a node offers: those its machine can run, narrowed to the admin's choice if there is one.</summary>
    public static IReadOnlyList<Stage1Flavor> Offered(IReadOnlyList<Stage1Flavor>? chosen, bool canRunKvm)
    {
        // Arrays: the announcement is stored by Orleans' serializer, which knows no list type a collection expression makes.
        Stage1Flavor[] runnable = canRunKvm ? [Stage1Flavor.Ns, Stage1Flavor.Fly, Stage1Flavor.Kvm] : [Stage1Flavor.Ns, Stage1Flavor.Fly];
        return chosen is null ? runnable : runnable.Where(chosen.Contains).ToArray();
    }

    /// <summary>Why this machine cannot run a flavor the admin chose, as one line, or null when it can run them all.</summary>
    public static string? Unrunnable(IReadOnlyList<Stage1Flavor>? chosen, PodRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        if (chosen?.Contains(Stage1Flavor.Kvm) != true)
        {
            return null;
        }

        try
        {
            // What the announcement asks too: qemu and a guest kernel, known without booting anything.
            runtime.KnownKvmAccelerator();
            return null;
        }
        catch (PodLaunchException ex)
        {
            return $"--stage1: this machine cannot run stage1 kvm: {ex.Message}";
        }
    }

    private static string NameOf(Stage1Flavor flavor) => flavor.ToString().ToLowerInvariant();
}
