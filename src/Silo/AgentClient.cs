using FleetPods.Silo.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace FleetPods.Silo;

/// <summary>
/// An agent's Orleans client: the servers' gateways given by <c>--servers</c>, this node's certificate over the
/// cluster's TLS, and no database. At start it waits for a server to answer, trying again every
/// <see cref="RetryDelay"/>: an agent outlives its servers, and its pods run meanwhile (their supervisors outlive it).
/// </summary>
internal sealed class AgentClient(DaemonOptions options, ILogger<AgentClient> logger) : IClientConnectionRetryFilter
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private bool told;

    public static void Configure(IClientBuilder client, DaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (DaemonHost.ClusterId, DaemonHost.ServiceId));
        client.UseStaticClustering([.. options.Servers]);
        client.UseClusterTls(NodeCredentials.Load(options));
        client.Services.AddSingleton<IClientConnectionRetryFilter, AgentClient>();
    }

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (!told)
        {
            logger.LogWarning("Agent {Node} cannot reach a server at {Servers} yet ({Reason}); trying again every {Delay}",
                options.NodeName, string.Join(",", options.Servers), exception.Message, RetryDelay);
            told = true;
        }

        await Task.Delay(RetryDelay, cancellationToken);
        return true;
    }
}
