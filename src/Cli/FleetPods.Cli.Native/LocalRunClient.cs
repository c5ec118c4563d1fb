using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace FleetPods.Cli.Native;

/// <summary>Runs a pod through this machine's fleetpodsd (<see cref="LocalRunProtocol"/>), relaying its output and exit code.</summary>
internal static class LocalRunClient
{
    private const int Failure = 1;

    // As a shell reports a command killed by SIGPIPE (128 + 13): .NET ignores the signal and fails the write instead.
    private const int BrokenPipe = 141;

    /// <summary>The command's exit code, or null when the daemon's socket cannot be reached, so the cluster client should try.</summary>
    public static async Task<int?> TryRun(string socketPath, IReadOnlyList<string> arguments)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException)
        {
            // No daemon there, a stale socket, or no permission (only root may enter its directory).
            socket.Dispose();
            return null;
        }

        await using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            await LocalRunProtocol.WriteRequest(stream, arguments, CancellationToken.None);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Interrupt(context, socket));
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Interrupt(context, socket));
            return await Relay(stream);
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"fleetpods: lost fleetpodsd at {socketPath}: {ex.Message}");
            return Failure;
        }
    }

    private static async Task<int> Relay(Stream stream)
    {
        await using var stderr = Console.OpenStandardError();
        while (await LocalRunProtocol.ReadFrame(stream, CancellationToken.None) is var (kind, payload))
        {
            switch (kind)
            {
                case LocalRunProtocol.FrameKind.Output:
                    try
                    {
                        if (!StandardOutput.TryWrite(payload))
                        {
                            // Nobody reads the output any more (`| head`): leaving closes the connection, which stops the pod.
                            return BrokenPipe;
                        }
                    }
                    catch (IOException ex)
                    {
                        // The output cannot take more (a full disk): the pod is stopped the same way.
                        await Console.Error.WriteLineAsync($"fleetpods: {ex.Message}");
                        return Failure;
                    }

                    break;
                case LocalRunProtocol.FrameKind.Error:
                    await stderr.WriteAsync(Encoding.UTF8.GetBytes($"fleetpods: {Encoding.UTF8.GetString(payload)}\n"));
                    break;
                default:
                    return LocalRunProtocol.ExitCodeOf(payload);
            }
        }

        await Console.Error.WriteLineAsync("fleetpods: fleetpodsd went away before the pod ended (it keeps running; see fleetpods list-pods)");
        return Failure;
    }

    // Ctrl-C (or SIGTERM) asks the daemon to stop the pod; its exit code then arrives like any other.
    private static void Interrupt(PosixSignalContext context, Socket socket)
    {
        context.Cancel = true;
        try
        {
            socket.Send([LocalRunProtocol.Interrupt]);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The connection is already gone; the relay reports that.
        }
    }
}
