using System.Collections.Concurrent;
using System.Net;
using FleetPods.NodeRuntime.Images.Trust;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>
/// Downloads from an HTTP server on loopback that misbehaves on purpose, as networks do: it drops the connection
/// half-way, or answers 503, before serving the file (with ranges).
/// </summary>
public sealed class ImageFetchTests(BusyboxOciImages oci) : IClassFixture<BusyboxOciImages>, IAsyncLifetime
{
    private readonly StoreHarness node = new(data => new NodeRuntimeOptions(data) { FetchRetryDelay = TimeSpan.FromMilliseconds(10) });
    private readonly HttpListener server = new();
    private readonly ConcurrentQueue<string> requests = new();
    private readonly int port = TestPorts.Reserve();
    private Func<int, HttpListenerContext, bool> misbehave = (_, _) => false;

    private PodRuntime Runtime => node.Runtime;

    private Uri Url => new($"http://127.0.0.1:{port}/busybox-oci.tar");

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime: xunit 2 never calls IAsyncDisposable on a test class, and the store directory must go.
    public async Task DisposeAsync()
    {
        server.Close();
        await node.DisposeAsync();
    }

    [RequiresFact(Requires.Root)]
    public async Task A_download_cut_off_half_way_resumes_with_a_range_and_imports_the_image()
    {
        var size = new FileInfo(oci.LayoutTar).Length;
        Serve((attempt, context) =>
        {
            if (attempt > 1)
            {
                return false;
            }

            context.Response.ContentLength64 = size;
            context.Response.OutputStream.Write(File.ReadAllBytes(oci.LayoutTar), 0, (int)(size / 2));
            context.Response.OutputStream.Flush();
            context.Response.Abort();
            return true;
        });
        var seen = new ConcurrentBag<ImageDownloadProgress>();

        var image = await Runtime.Images.FetchAsync(Url, ImageVerification.Skipped, progress: new Recorder(seen));

        Assert.Equal(oci.ManifestDigest, image.Digest);
        Assert.Equal("busybox-oci", image.Name);
        Assert.Equal(["-", $"bytes={size / 2}-"], requests);
        Assert.Contains(seen, p => p.Attempt == 2 && p.ReceivedBytes == size && p.TotalBytes == size);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_server_that_answers_503_at_first_is_retried()
    {
        Serve((attempt, context) =>
        {
            if (attempt > 2)
            {
                return false;
            }

            context.Response.StatusCode = 503;
            context.Response.Close();
            return true;
        });

        var image = await Runtime.Images.FetchAsync(Url, ImageVerification.Skipped);

        Assert.Equal(oci.ManifestDigest, image.Digest);
        Assert.Equal(3, requests.Count);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_missing_file_is_not_retried_and_the_error_names_the_url_and_status()
    {
        Serve((_, context) =>
        {
            context.Response.StatusCode = 404;
            context.Response.Close();
            return true;
        });

        var error = await Assert.ThrowsAsync<ImageImportException>(() => Runtime.Images.FetchAsync(Url, ImageVerification.Skipped));

        Assert.Contains($"{Url}: the server answered 404", error.Message, StringComparison.Ordinal);
        Assert.Single(requests);
        TestFiles.AssertStoreHoldsNothing(node.ImagesDirectory);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_download_that_is_not_the_pinned_digest_is_refused()
    {
        Serve((_, _) => false);

        var error = await Assert.ThrowsAsync<ImageImportException>(() =>
            Runtime.Images.FetchAsync(Url, ImageVerification.Skipped, new ImageImportOptions { ExpectedDigest = "sha256-" + new string('1', 64) }));

        Assert.Contains("not the pinned sha256-111", error.Message, StringComparison.Ordinal);
        Assert.Empty(Runtime.Images.List());
    }

    [RequiresFact(Requires.Root)]
    public async Task A_file_url_is_imported_in_place()
    {
        var image = await Runtime.Images.FetchAsync(new Uri(oci.DockerArchive), ImageVerification.By([]));

        Assert.Equal("busybox", image.Name);
    }

    // Serves the OCI layout tar, honouring Range; `misbehaving` may answer a request itself (returning true).
    private void Serve(Func<int, HttpListenerContext, bool> misbehaving)
    {
        misbehave = misbehaving;
        server.Prefixes.Add($"http://127.0.0.1:{port}/");
        server.Start();
        _ = Task.Run(async () =>
        {
            var attempt = 0;
            while (server.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await server.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                requests.Enqueue(context.Request.Headers["Range"] ?? "-");
                if (misbehave(++attempt, context))
                {
                    continue;
                }

                var content = await File.ReadAllBytesAsync(oci.LayoutTar);
                var from = context.Request.Headers["Range"] is { } range ? long.Parse(range["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture) : 0;
                if (from > 0)
                {
                    context.Response.StatusCode = 206;
                    context.Response.Headers["Content-Range"] = $"bytes {from}-{content.Length - 1}/{content.Length}";
                }

                context.Response.ContentLength64 = content.Length - from;
                await context.Response.OutputStream.WriteAsync(content.AsMemory((int)from));
                context.Response.Close();
            }
        });
    }


    private sealed class Recorder(ConcurrentBag<ImageDownloadProgress> seen) : IProgress<ImageDownloadProgress>
    {
        public void Report(ImageDownloadProgress value) => seen.Add(value);
    }
}
