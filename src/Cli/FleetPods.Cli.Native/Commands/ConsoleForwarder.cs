using System.Runtime.InteropServices;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Terminal;
using static Tmds.Linux.LibC;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// This command's side of a console (<c>run -i</c>, <c>-t</c>, <c>enter</c>): stdin goes to the pod in order, one call
/// per read (<c>POST /v1/pods/{id}/input</c>), and its end closes the pod's input; the window's size follows SIGWINCH
/// (<c>POST /v1/pods/{id}/resize</c>). Forwarding stops when the daemon refuses more (what runs has ended); the
/// answer's stream decides when the command ends.
/// </summary>
internal sealed class ConsoleForwarder(ApiClient api) : IDisposable
{
    private const int ReadBytes = 64 * 1024;
    private const int StandardInput = 0;
    private const int Interrupted = 4; // EINTR

    private readonly SemaphoreSlim resizing = new(1, 1);
    private PosixSignalRegistration? window;
    private LocalTerminal? raw;
    private string pod = "";
    private string? session;

    /// <summary>
    /// Starts relaying to what runs: the pod's first app, or its enter session (<paramref name="sessionId"/>). With a
    /// terminal, this one goes raw (when stdin is one) and its size follows; with input, stdin is sent on a thread of
    /// its own, since a read of a terminal or pipe blocks until there is input.
    /// </summary>
    public void Attach(string podId, string? sessionId, bool input, bool terminal)
    {
        (pod, session) = (podId, sessionId);
        if (terminal)
        {
            raw = LocalTerminal.EnterRawMode();
            window = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, signal => { _ = Resize(); });
        }

        if (input)
        {
            new Thread(() => Forward().GetAwaiter().GetResult()) { IsBackground = true, Name = "stdin to pod" }.Start();
        }
    }

    /// <summary>Leaves this terminal as it was; more than once is fine.</summary>
    public void Dispose()
    {
        window?.Dispose();
        raw?.Dispose();
    }

    private async Task Forward()
    {
        var buffer = new byte[ReadBytes];
        try
        {
            int read;
            while ((read = Read(buffer)) > 0)
            {
                await Send(buffer.AsMemory(0, read), end: false);
            }

            await Send(ReadOnlyMemory<byte>.Empty, end: true);
        }
        catch (Exception ex) when (ex is ApiException or HttpRequestException or IOException or CliException or OperationCanceledException or ObjectDisposedException)
        {
            // The pod no longer takes input (it ended, or the daemon went), or this command is ending and its client
            // with it: the answer's stream says what happened. A thread's exception would end the process instead.
        }
    }

    private async Task Send(ReadOnlyMemory<byte> data, bool end)
    {
        var content = new ReadOnlyMemoryContent(data);
        content.Headers.ContentType = new("application/octet-stream");
        using var response = await api.Send(
            new HttpRequestMessage(HttpMethod.Post, $"v1/pods/{ApiClient.Escape(pod)}/input{ApiClient.Query(("session", session), ("end", end ? "true" : null))}") { Content = content },
            HttpCompletionOption.ResponseContentRead,
            CancellationToken.None);
    }

    private async Task Resize()
    {
        // One at a time, each with the size of its moment: the last call leaves the last size.
        await resizing.WaitAsync();
        try
        {
            if (LocalTerminal.Size() is not { } size)
            {
                return;
            }

            await api.SendJson(HttpMethod.Post, $"v1/pods/{ApiClient.Escape(pod)}/resize{ApiClient.Query(("session", session))}", ApiClient.Json(json =>
            {
                json.WriteStartObject();
                json.WriteNumber("rows", size.Rows);
                json.WriteNumber("columns", size.Columns);
                json.WriteEndObject();
            }), CancellationToken.None);
        }
        catch (Exception ex) when (ex is ApiException or HttpRequestException or CliException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // A pod that has ended has no terminal to resize, and a command that is ending has no client.
        }
        finally
        {
            resizing.Release();
        }
    }

    // read(2) on fd 0 itself: Console's stdin stream edits lines itself when stdin is a terminal.
    private static unsafe int Read(byte[] buffer)
    {
        fixed (byte* start = buffer)
        {
            while (true)
            {
                var n = (long)read(StandardInput, start, buffer.Length);
                if (n >= 0 || errno != Interrupted)
                {
                    return (int)Math.Max(n, 0);
                }
            }
        }
    }
}
