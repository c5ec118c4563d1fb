namespace FleetPods.Silo;

/// <summary>Decides the daemon's <see cref="DaemonMode"/> from <c>--server</c>, <c>--agent</c> and what goes with each.</summary>
public static class DaemonModeOption
{
    /// <param name="server">Whether <c>--server</c> was given.</param>
    /// <param name="agent">Whether <c>--agent</c> was given.</param>
    /// <param name="servers">The <c>--servers</c> text, or null when not given.</param>
    /// <param name="hasDatabase">Whether a cluster connection string was given (<c>--cluster</c>, the environment or the config file).</param>
    /// <exception cref="FormatException">The flags do not make one mode; one line saying what to change.</exception>
    public static DaemonMode Choose(bool server, bool agent, string? servers, bool hasDatabase)
    {
        if (server && agent)
        {
            throw new FormatException("--server and --agent exclude each other: a daemon holds the cluster's grains (--server) or runs its machine's pods for the servers (--agent)");
        }

        if (agent && servers is null)
        {
            throw new FormatException("--agent needs --servers HOST:PORT[,HOST:PORT…]: the gateways of the cluster's servers");
        }

        if (agent && hasDatabase)
        {
            throw new FormatException($"--agent opens no database connection: leave out --cluster (and ${ClusterSettings.EnvironmentVariable}, the config file's cluster); it reaches the cluster through --servers");
        }

        if (!agent && servers is not null)
        {
            throw new FormatException("--servers is for --agent: the servers' gateways an agent attaches through");
        }

        if (server && !hasDatabase)
        {
            throw new FormatException($"--server needs the cluster database: --cluster \"Host=…\", ${ClusterSettings.EnvironmentVariable} or the config file");
        }

        return server ? DaemonMode.Server : agent ? DaemonMode.Agent : DaemonMode.Node;
    }
}
