using System.Net.Sockets;
using FleetPods.Cli;
using FleetPods.Silo.FrontDoor;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FleetPods.Silo;

/// <summary>
/// Runs pods for the native <c>fleetpods</c> command on this machine (<see cref="LocalRunProtocol"/>): the words of a
/// <c>run</c> arrive on a Unix socket and go through the same parsing and the same grains as the CLI's, from inside
/// the silo, so a <c>fleetpods run</c> pays for no Orleans client. The socket is root's alone (0600):
/// whoever connects can run any pod, as whoever can reach the gateway can.
/// </summary>
public sealed class LocalRunEndpoint(
    DaemonOptions options,
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    ILogger<LocalRunEndpoint> logger) : BackgroundService
{
    private const int Failure = 1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Only once the silo is up: a run before that would find no node to place its pod on.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(started.SetResult))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task;
        }

        var path = LocalRunProtocol.SocketPath(options.GatewayPort);
        using var listener = Listen(path);
        logger.LogInformation("Local runs served on {Socket}", path);
        try
        {
            while (true)
            {
                var connection = await listener.AcceptAsync(stoppingToken);
                _ = Serve(connection, stoppingToken);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Socket Listen(string path)
    {
        // The directory is shared with the API socket, which everyone may reach; this socket stays root's alone (0600).
        RuntimeDirectory.Prepare(Path.GetDirectoryName(path)!);

        // A socket left by a daemon that was killed on this gateway port; a live one would hold the port, which this silo has bound.
        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        // Before listen(): nobody else can have connected while the socket had the umask's mode.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(backlog: 64);
        return listener;
    }

    private async Task Serve(Socket connection, CancellationToken stoppingToken)
    {
        await using var stream = new NetworkStream(connection, ownsSocket: true);
        try
        {
            var arguments = await LocalRunProtocol.ReadRequest(stream, stoppingToken);
            using var interrupted = new CancellationTokenSource();
            var watch = WatchForInterrupt(stream, interrupted);
            var exitCode = await Run(stream, arguments, interrupted);
            await LocalRunProtocol.WriteExit(stream, exitCode, CancellationToken.None);
            connection.Shutdown(SocketShutdown.Send);
            await watch;
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException or OperationCanceledException)
        {
            logger.LogInformation("Local run connection ended: {Reason}", ex.Message);
        }
    }

    private async Task<int> Run(Stream stream, string[] arguments, CancellationTokenSource interrupted)
    {
        try
        {
            var spec = new RunCommandLine().Parse(arguments);
            return await OneOffPod.Run(grains, spec, Output, interrupted.Token);
        }
        catch (Exception ex) when (ExpectedFailures.Describe(ex) is { } line)
        {
            await LocalRunProtocol.WriteError(stream, line, CancellationToken.None);
            return Failure;
        }
        catch (Exception ex) when (ex is not (IOException or SocketException or OperationCanceledException))
        {
            logger.LogError(ex, "Local run of {Arguments} failed", string.Join(' ', arguments));
            await LocalRunProtocol.WriteError(stream, $"the cluster failed the request: {ex.Message.Split('\n')[0]}", CancellationToken.None);
            return Failure;
        }

        // Output the command can no longer take means it is gone: its pod is stopped as on Ctrl-C.
        async ValueTask Output(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            try
            {
                await LocalRunProtocol.WriteFrame(stream, LocalRunProtocol.FrameKind.Output, data, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                await interrupted.CancelAsync();
            }
        }
    }

    // The command sends one byte on Ctrl-C; a command that vanished (killed, its terminal closed) counts the same,
    // so its pod is stopped rather than left running unwatched.
    private static async Task WatchForInterrupt(Stream stream, CancellationTokenSource interrupted)
    {
        try
        {
            await stream.ReadAtLeastAsync(new byte[1], 1, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The connection is gone: the same as an interrupt.
        }

        await interrupted.CancelAsync();
    }
}
