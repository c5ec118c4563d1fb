using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// Opens the API socket to every local user (0666) once the daemon has started: Kestrel makes it with the umask's
/// mode, which admits root alone, so until the silo is up nobody else connects and finds no cluster.
/// </summary>
public sealed class ApiSocketOpening(string socket, IHostApplicationLifetime lifetime, ILogger<ApiSocketOpening> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            File.SetUnixFileMode(socket, ApiSocket.Mode);
            logger.LogInformation("API served on {Socket}", socket);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
