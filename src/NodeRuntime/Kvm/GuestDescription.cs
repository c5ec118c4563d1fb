using System.Text;
using FleetPods.NodeRuntime.Pods;

namespace FleetPods.NodeRuntime.Kvm;

/// <summary>
/// What the guest's init is told about the pod, written to the pod's <c>guest</c> file for its supervisor to send on
/// the control port: the same options fleetpods-shim takes for stage1 ns apps, as NUL-separated words ended by an
/// empty one (see the top of Native/Guest/guest-init.c). NUL cannot occur in a word: the plan refused it.
/// </summary>
internal static class GuestDescription
{
    public static byte[] Of(IReadOnlyList<PodLaunchPlan> plans, IReadOnlyList<GuestShare> roots, IReadOnlyList<GuestShare> volumes)
    {
        ArgumentNullException.ThrowIfNull(plans);
        List<string> words = ["--hostname", plans[0].Hostname];
        foreach (var share in roots.Concat(volumes))
        {
            words.AddRange(["--share", share.Tag, share.ReadOnly ? "ro" : "rw"]);
        }

        for (var i = 0; i < plans.Count; i++)
        {
            var plan = plans[i];
            words.AddRange(["--app", plan.Name, "--rootfs", roots[i].GuestPath]);
            foreach (var (option, value) in new[] { ("--cwd", plan.WorkingDirectory), ("--user", plan.User), ("--group", plan.Group) })
            {
                if (value is not null)
                {
                    words.AddRange([option, value]);
                }
            }

            foreach (var (name, value) in plan.Environment)
            {
                words.AddRange(["--env", $"{name}={value}"]);
            }

            foreach (var (source, target, readOnly, _) in plan.Mounts)
            {
                var volume = volumes.First(v => v.HostPath == source);
                words.AddRange(["--mount", readOnly ? "ro" : "rw", volume.GuestPath, target]);
            }

            foreach (var argument in plan.Exec)
            {
                words.AddRange(["--arg", argument]);
            }
        }

        var text = new StringBuilder();
        foreach (var word in words)
        {
            text.Append(word).Append('\0');
        }

        return Encoding.UTF8.GetBytes(text.Append('\0').ToString());
    }
}
