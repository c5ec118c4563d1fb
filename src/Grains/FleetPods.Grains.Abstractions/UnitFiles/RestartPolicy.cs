namespace FleetPods.Grains.UnitFiles;

/// <summary>When a unit's pod is started again after it ended, as <c>Restart=</c> names it.</summary>
public enum RestartPolicy
{
    /// <summary><c>no</c>: never (the default).</summary>
    No,

    /// <summary><c>on-failure</c>: when the app exited with a non-zero code or the pod failed.</summary>
    OnFailure,

    /// <summary><c>always</c>: whenever it ended.</summary>
    Always,
}
