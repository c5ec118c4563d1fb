using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FleetPods.Cli.Native.Addressing;

/// <summary>
/// Picks the endpoint a command talks to: every endpoint is tried at once with one connect (1 s at most for TCP, by
/// <see cref="TcpConnectProbe"/>), and the first in the order given that answered wins, so a dead or black-holed
/// endpoint costs a second once, not per request. A loopback endpoint whose API socket exists is reached over that socket.
/// </summary>
internal static partial class EndpointProbe
{
    private const int Exists = 0; // F_OK
    private const int PermissionDenied = 13; // EACCES

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    // A local socket answers or refuses at once; only a loaded machine delays the answer, which must not read as no daemon.
    private static readonly TimeSpan SocketProbeTimeout = TimeSpan.FromSeconds(10);

    /// <exception cref="CliException">No endpoint answered, or one cannot be resolved.</exception>
    public static async Task<ApiRoute> FirstAnswering(IReadOnlyList<ApiEndpoint> endpoints, string socketDirectory, CancellationToken cancellationToken)
    {
        var routes = await Task.WhenAll(endpoints.Select(endpoint => Route(endpoint, socketDirectory, cancellationToken)));
        var answered = await Task.WhenAll(routes.Select(route => Answers(route, cancellationToken)));
        for (var i = 0; i < routes.Length; i++)
        {
            if (answered[i])
            {
                return routes[i];
            }
        }

        throw new CliException($"cannot reach fleetpodsd at {string.Join(", ", routes.Select(r => r.ToString()))}: is it running?");
    }

    private static async Task<ApiRoute> Route(ApiEndpoint endpoint, string socketDirectory, CancellationToken cancellationToken)
    {
        var socket = endpoint.SocketPath(socketDirectory);
        var local = endpoint.IsLoopback && !endpoint.HttpsOnly;
        if (local && File.Exists(socket))
        {
            return new ApiRoute.Socket(endpoint, socket);
        }

        // A socket this caller cannot even see would otherwise read as "no daemon here" and send it to HTTPS.
        if (local && Access(socket, Exists) != 0 && Marshal.GetLastPInvokeError() == PermissionDenied)
        {
            throw new CliException($"cannot reach fleetpodsd's socket {socket}: {socketDirectory} is not open to you (permission denied)");
        }

        if (IPAddress.TryParse(endpoint.Host, out var address))
        {
            return new ApiRoute.Https(endpoint, new IPEndPoint(address, endpoint.Port));
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
            return new ApiRoute.Https(endpoint, new IPEndPoint(chosen, endpoint.Port));
        }
        catch (SocketException ex)
        {
            throw new CliException($"--endpoint '{endpoint}': cannot resolve host '{endpoint.Host}': {ex.Message}");
        }
    }

    private static async Task<bool> Answers(ApiRoute route, CancellationToken cancellationToken)
    {
        if (route is ApiRoute.Https remote)
        {
            // poll() blocks, so on a thread of its own: the probes of every endpoint wait side by side.
            return await Task.Factory.StartNew(
                () =>
                {
                    using var probe = TcpConnectProbe.Begin(remote.Address);
                    return probe.Answered(ProbeTimeout);
                },
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SocketProbeTimeout);
        try
        {
            using var socket = await Connect(route, timeout.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>A connected socket to the route's daemon: the probe's, and every connection of the HTTP client after it.</summary>
    public static async Task<Socket> Connect(ApiRoute route, CancellationToken cancellationToken)
    {
        var (socket, target) = route switch
        {
            ApiRoute.Socket local => (new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), (EndPoint)new UnixDomainSocketEndPoint(local.Path)),
            ApiRoute.Https remote => (new Socket(remote.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }, remote.Address),
            _ => throw new ArgumentOutOfRangeException(nameof(route)),
        };
        try
        {
            await socket.ConnectAsync(target, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);
}
