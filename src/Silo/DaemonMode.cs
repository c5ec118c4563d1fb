namespace FleetPods.Silo;

/// <summary>What a fleetpodsd is in its cluster (docs/daemon.md, docs/scale.md "Topology").</summary>
public enum DaemonMode
{
    /// <summary>An Orleans silo that is also its machine's node: the embedded single-machine default, or every node of a small cluster.</summary>
    Node,

    /// <summary><c>--server</c>: a silo that holds the cluster's grains and database connections, and runs no pods.</summary>
    Server,

    /// <summary><c>--agent --servers …</c>: an Orleans client of the servers that runs its machine's pods; no database connection.</summary>
    Agent,
}
