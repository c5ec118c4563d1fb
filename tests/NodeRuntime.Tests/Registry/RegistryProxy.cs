using System.Collections.Concurrent;
using System.Net;

namespace FleetPods.NodeRuntime.Tests.Registry;

/// <summary>What <see cref="RegistryProxy"/> does to one blob response.</summary>
public enum BlobMisbehaviour
{
    None,

    /// <summary>Sends half the body, then drops the connection.</summary>
    CutHalfway,

    /// <summary>Sends the whole body with one byte in its middle changed.</summary>
    FlipAByte,

    /// <summary>Sends half the body, then nothing more, the connection left open (a peer gone without a FIN).</summary>
    StallHalfway,
}

/// <summary>
/// A plain-HTTP proxy in front of a test registry that records every request and can damage blob responses as a
/// network (or an attacker) would, to see the client resume, refuse, or not ask at all.
/// </summary>
public sealed class RegistryProxy : IDisposable
{
    private static readonly string[] RequestHeaders = ["Accept", "Range", "Authorization"];
    private static readonly string[] ResponseHeaders = ["Content-Type", "Content-Range", "Docker-Content-Digest", "Location", "Accept-Ranges"];
    private readonly HttpListener listener = new();
    private readonly HttpClient upstream = new();
    private readonly string upstreamHost;
    private readonly ConcurrentDictionary<string, int> seen = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();

    public RegistryProxy(string upstreamHost)
    {
        this.upstreamHost = upstreamHost;
        Port = TestPorts.Reserve();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        _ = Task.Run(Serve);
    }

    public int Port { get; }

    public string Host => $"127.0.0.1:{Port}";

    /// <summary>Each request: method, path, and its Range and whether it had an Authorization header.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>What to do to a blob's response, given its digest and how many times it was asked for before.</summary>
    public Func<string, int, BlobMisbehaviour> Misbehave { get; set; } = (_, _) => BlobMisbehaviour.None;

    /// <summary>The blob GETs made, by digest (sha256:…).</summary>
    public IReadOnlyList<string> BlobGets => [.. Requests.Where(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("/blobs/", StringComparison.Ordinal))
        .Select(r => r.Split(' ')[1].Split("/blobs/")[1])];

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
        listener.Close();
        upstream.Dispose();
    }

    private async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => Forward(context));
        }
    }

    private async Task Forward(HttpListenerContext context)
    {
        var path = context.Request.Url!.PathAndQuery;
        Requests.Enqueue($"{context.Request.HttpMethod} {path} range={context.Request.Headers["Range"] ?? "-"} auth={(context.Request.Headers["Authorization"] is null ? "no" : "yes")}");
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), $"http://{upstreamHost}{path}");
            foreach (var header in RequestHeaders)
            {
                if (context.Request.Headers.GetValues(header) is { } values)
                {
                    request.Headers.TryAddWithoutValidation(header, values);
                }
            }

            using var response = await upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in ResponseHeaders)
            {
                if (response.Headers.TryGetValues(header, out var values) || response.Content.Headers.TryGetValues(header, out values))
                {
                    context.Response.Headers[header] = string.Join(",", values);
                }
            }

            var body = await response.Content.ReadAsByteArrayAsync();
            var blob = context.Request.HttpMethod == "GET" && path.Contains("/blobs/", StringComparison.Ordinal) && response.IsSuccessStatusCode ? path.Split("/blobs/")[1] : null;
            var misbehaviour = blob is null ? BlobMisbehaviour.None : Misbehave(blob, seen.AddOrUpdate(blob, 0, (_, n) => n + 1));
            context.Response.ContentLength64 = body.Length;
            if (misbehaviour == BlobMisbehaviour.CutHalfway)
            {
                await context.Response.OutputStream.WriteAsync(body.AsMemory(0, body.Length / 2));
                await context.Response.OutputStream.FlushAsync();
                context.Response.Abort();
                return;
            }

            if (misbehaviour == BlobMisbehaviour.StallHalfway)
            {
                await context.Response.OutputStream.WriteAsync(body.AsMemory(0, body.Length / 2));
                await context.Response.OutputStream.FlushAsync();
                await Task.Delay(Timeout.Infinite, stopping.Token);
            }

            if (misbehaviour == BlobMisbehaviour.FlipAByte)
            {
                body[body.Length / 2] ^= 0x01;
            }

            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or HttpRequestException or ObjectDisposedException or OperationCanceledException)
        {
            context.Response.Abort();
        }
    }
}
