namespace FleetPods.Grains;

/// <summary>A field of a <see cref="PodSpec"/> that <see cref="PodValidator"/> refused; each way of describing a pod names it its own way (a unit file's key, <c>run</c>'s flag).</summary>
public enum PodField
{
    /// <summary>The app's image: <c>Image=</c>, <c>run</c>'s image words.</summary>
    Image,

    /// <summary>The app's program and arguments: <c>Exec=</c>, the words after <c>run</c>'s <c>--</c>.</summary>
    Exec,

    /// <summary><c>Environment=</c>, <c>--set-env</c>.</summary>
    Environment,

    /// <summary><c>WorkingDirectory=</c>.</summary>
    WorkingDirectory,

    /// <summary><c>User=</c>, <c>--user</c>.</summary>
    User,

    /// <summary><c>Group=</c>, <c>--group</c>.</summary>
    Group,

    /// <summary><c>Memory=</c>, <c>--memory</c>.</summary>
    Memory,

    /// <summary><c>CPU=</c>, <c>--cpu</c>.</summary>
    Cpu,

    /// <summary><c>PrivateUsers=</c>, <c>--private-users</c>.</summary>
    PrivateUsers,

    /// <summary><c>Network=</c>, <c>--net</c>.</summary>
    Network,

    /// <summary><c>Volume=</c>, <c>--volume</c>.</summary>
    Volume,

    /// <summary><c>Mount=</c>, <c>--mount</c>.</summary>
    Mount,

    /// <summary><c>Port=</c>, <c>--port</c>.</summary>
    Port,

    /// <summary>An app as a whole: its name, or more apps than the flavor runs (<c>[App NAME]</c> sections, several images).</summary>
    App,

    /// <summary><c>Count=</c>.</summary>
    Count,

    /// <summary><c>MaxUnavailable=</c>.</summary>
    MaxUnavailable,

    /// <summary>The caller's console: <c>run -i</c>, <c>run -t</c>.</summary>
    Console,

    /// <summary><c>SupplementaryGroups=</c>.</summary>
    SupplementaryGroups,
}
