namespace FleetPods.Grains.UnitFiles;

/// <summary>A setting of a pod that a stage1 flavor may refuse (<see cref="Stage1Limits"/>); each way of describing a pod names it its own way.</summary>
public enum PodSetting
{
    /// <summary><c>Network=</c>, <c>--net</c>.</summary>
    Network,

    /// <summary><c>Port=</c>, <c>--port</c>.</summary>
    Port,

    /// <summary><c>PrivateUsers=</c>, <c>--private-users</c>.</summary>
    PrivateUsers,

    /// <summary>More than one app: <c>[App NAME]</c> sections, several images.</summary>
    Apps,
}
