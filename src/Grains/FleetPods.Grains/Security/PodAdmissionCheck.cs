using FleetPods.Grains.UnitFiles;
using FleetPods.Security;

namespace FleetPods.Grains.Security;

/// <summary>
/// Where the grains enforce roles and the pod security policy for <see cref="CallerContext.Current"/>: a refusal is an
/// <see cref="AccessDeniedException"/> thrown before anything is stored, naming the role needed and the caller.
/// </summary>
internal static class PodAdmissionCheck
{
    /// <summary>Refuses the call unless the caller holds <paramref name="needed"/>.</summary>
    /// <param name="action">What is refused, e.g. <c>start web.service</c>.</param>
    public static void Require(Role needed, string action)
    {
        var caller = CallerContext.Current;
        if (!caller.Holds(needed))
        {
            throw new AccessDeniedException($"{action} needs the {Name(needed)} role; you are {Describe(caller)}", needed);
        }
    }

    /// <summary>Admits a pod's content for the caller: anyone with the operator role for a baseline pod, an admin for a privileged one.</summary>
    /// <param name="locate">Where each privileged setting is written, for a unit file's file:line:key; null for <c>run</c>'s flags.</param>
    public static PodAdmission Admit(PodSection pod, PodPolicy policy, Func<PrivilegedUse, UnitFileError>? locate = null)
    {
        var caller = CallerContext.Current;
        var security = PodSecurity.Classify(pod, policy);
        if (security.Level == PodSecurityLevel.Privileged && !caller.Holds(Role.Admin))
        {
            var refusal = Refusal(security, caller);
            if (locate is null)
            {
                throw new AccessDeniedException(refusal, Role.Admin);
            }

            var errors = security.Uses.Select(use => locate(use) with { Message = Refusal(new PodSecurityClass([use]), caller) }).ToArray();
            throw new AccessDeniedException(string.Join("; ", errors.Select(e => e.ToString())), Role.Admin, errors);
        }

        return PodAdmission.Of(caller);
    }

    /// <summary>
    /// The node's own check before launch, under its own policy file and its own file system: a privileged pod needs
    /// an admin's admission. Returns the spec with each host volume the policy shares given as the directory it
    /// resolves to now, so a link swapped after this check cannot move the mount.
    /// </summary>
    public static PodSpec OnNode(PodSpec spec, PodPolicy policy, string node)
    {
        var security = PodSecurity.Classify(spec.Pod, policy, NodePath.Resolve);
        if (security.Level == PodSecurityLevel.Privileged && spec.Admission is not { Role: Role.Admin })
        {
            var verb = security.Uses.Count == 1 ? "needs" : "need";
            throw new AccessDeniedException(
                $"node {node} refuses the pod: {security.Settings} {verb} an admin's admission (privileged pod); it was admitted by {spec.Admission?.ToString() ?? "nobody"}",
                Role.Admin);
        }

        var volumes = spec.Pod.Volumes
            .Select(v => PodSecurity.FindPolicyPath(v, policy, NodePath.Resolve) is { } resolved ? v with { Source = resolved } : v)
            .ToArray();
        return spec with { Pod = spec.Pod with { Volumes = volumes } };
    }

    /// <summary>Whether the pod is privileged under the policy, as the cluster sees it (for entering it).</summary>
    public static bool IsPrivileged(PodSpec spec, PodPolicy policy) =>
        PodSecurity.Classify(spec.Pod, policy).Level == PodSecurityLevel.Privileged;

    private static string Refusal(PodSecurityClass security, Caller caller) =>
        $"{security.Settings} {(security.Uses.Count == 1 ? "needs" : "need")} the admin role (privileged pod); you are {Describe(caller)}";

    private static string Describe(Caller caller) => $"{caller.Name} ({Name(caller.Role)})";

    private static string Name(Role role) => role.ToString().ToLowerInvariant();
}
