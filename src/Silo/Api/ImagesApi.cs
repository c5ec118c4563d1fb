using System.Formats.Tar;
using FleetPods.Grains;
using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace FleetPods.Silo.Api;

/// <summary>
/// rkt's image commands against the nodes' stores: list, import (the archive is the request body), fetch, rm, gc,
/// export (the archive streams out), extract (a tar of the root filesystem streams out) and cat-manifest. An image
/// in a path is a name, name:version or digest, percent-encoded ('/' as %2F).
/// </summary>
public static class ImagesApi
{
    private const int TransferChunkBytes = 1 << 20;

    // How long each node may take to list its store, and to remove what it collects.
    private static readonly TimeSpan ListWithin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CollectWithin = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromHours(24);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v1/images", List).Requires(Role.Reader, "listing images");
        api.MapPost("/v1/images", Import).Requires(Role.Operator, "importing an image");
        api.MapPost("/v1/images/fetch", Fetch).Requires(Role.Operator, "fetching an image").Produces<FetchLine>(contentType: NdjsonAnswer.ContentType);
        api.MapPost("/v1/images/gc", CollectGarbage).Requires(Role.Operator, "collecting image garbage");
        api.MapDelete("/v1/images/{image}", Remove).Requires(Role.Operator, "removing an image");
        api.MapGet("/v1/images/{image}/manifest", Manifest).Requires(Role.Reader, "reading an image's manifest").Produces<byte[]>(contentType: "application/json");
        api.MapGet("/v1/images/{image}/archive", Export).Requires(Role.Operator, "exporting an image").Produces<byte[]>(contentType: "application/octet-stream");
        api.MapGet("/v1/images/{image}/rootfs", Extract).Requires(Role.Operator, "extracting an image").Produces<byte[]>(contentType: "application/x-tar");
    }

    private static async Task<ImageList> List([FromQuery] string? node, [FromServices] IGrainFactory grains, [FromServices] ImageStores stores, CancellationToken cancellationToken)
    {
        var answers = await EveryNode.Ask(grains, node, ListWithin, n => stores.Of(n).List(), cancellationToken);
        return new ImageList(
            [.. answers.Answers.SelectMany(a => a.Answer).OrderBy(i => i.Name, StringComparer.Ordinal).ThenBy(i => i.Node, StringComparer.Ordinal)],
            answers.Skipped);
    }

    /// <summary>
    /// The body is the archive. It is kept in the daemon's own directory (<see cref="ImageUploads"/>), bounded by
    /// --max-image-size, and imported from there on this node; for another node it is then pulled there as a pod's
    /// image is (the nodes' transfer), and dropped here unless this node held it already.
    /// </summary>
    private static async Task<ImageInfo> Import(
        [FromQuery] string? node, [FromQuery(Name = "ref")] string? reference, [FromQuery] string? name, [FromQuery] string? digest, [FromQuery] string? filename,
        HttpContext context, [FromServices] IGrainFactory grains, [FromServices] DaemonOptions options, [FromServices] ImageUploads uploads, [FromServices] ImageStores stores)
    {
        if (options.Mode == DaemonMode.Server)
        {
            throw new BadRequestException($"server {options.NodeName} keeps no images; import through the API of the node that is to hold the image");
        }

        // An agent's store is reached through its own API alone (ImageStores), so it imports into its own store only.
        var target = await stores.Chosen(node);
        if (options.Mode == DaemonMode.Agent && target != options.NodeName)
        {
            throw new BadRequestException($"node {options.NodeName} is an agent: it imports images into its own store only; import into node {target} through that node's API");
        }

        var fileName = ImageUploads.ArchiveName(filename);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxImageSizeBytes;
        }

        var directory = uploads.NewDirectory();
        try
        {
            var path = Path.Combine(directory, fileName);
            await using (var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            {
                await context.Request.Body.CopyToAsync(file, context.RequestAborted);
                if (file.Length == 0)
                {
                    throw new BadRequestException("the request has no body; send the image archive as the body");
                }
            }

            var request = new ImageImportRequest(path, reference, name, digest);
            var local = stores.Of(options.NodeName);
            if (target == options.NodeName)
            {
                return await local.Import(request);
            }

            var heldHere = (await local.List()).Select(i => i.Digest).ToHashSet(StringComparer.Ordinal);
            var imported = await local.Import(request);
            try
            {
                await grains.GetGrain<IImageStoreGrain>(target).EnsureImage(imported.Digest);
            }
            finally
            {
                if (!heldHere.Contains(imported.Digest))
                {
                    await local.Remove(imported.Digest);
                }
            }

            return await grains.GetGrain<IImageGrain>(imported.Digest).GetInfo() ?? imported;
        }
        finally
        {
            ImageUploads.Remove(directory);
        }
    }

    // The download runs on the node; its progress is polled and sent as it comes, then the image or the error.
    private static async Task Fetch([FromQuery] string? node, HttpContext context, [FromServices] ImageStores stores)
    {
        var body = await JsonBody.Read<FetchRequest>(context.Request);
        var url = body.Url ?? throw new BadRequestException("the body needs \"url\": the image archive's http://, https:// or file:// URL, or a docker:// reference");
        var auth = body.Auth is null ? null
            : body.Auth is { Username: { Length: > 0 } user, Password: { } password } ? new RegistryAuth(user, password)
            : throw new BadRequestException("\"auth\" needs \"username\" and \"password\"");
        var store = stores.Of(await stores.Chosen(node));
        var insecureImage = body.InsecureOptions switch
        {
            null or [] => false,
            ["image"] => true,
            _ => throw new BadRequestException($"\"insecureOptions\" may hold only \"image\" (skip the signature check), not {string.Join(", ", body.InsecureOptions.Select(o => $"\"{o}\""))}"),
        };
        var request = new ImageFetchRequest(url, Guid.NewGuid().ToString("N"), body.Digest, body.Ref, body.Name, auth, body.CaCertificates, body.Insecure ?? false, insecureImage);
        var stream = new NdjsonAnswer(context.Response);
        await stream.Start();
        var fetch = store.Fetch(request);
        var aborted = context.RequestAborted;
        while (!fetch.IsCompleted && !aborted.IsCancellationRequested)
        {
            if (await store.GetFetchProgress(request.FetchId) is { } progress)
            {
                await stream.Write(new FetchLine { Progress = progress }, aborted);
            }

            await Task.WhenAny(fetch, Task.Delay(ProgressEvery, aborted));
        }

        try
        {
            await stream.Write(new FetchLine { Image = await fetch }, aborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ApiErrors.Describe(ex) is { Status: < 500 or 503 } failure)
        {
            await stream.Write(new FetchLine { Error = failure.Line }, aborted);
        }
    }

    private static async Task<IResult> Remove(string image, [FromQuery] string? node, [FromServices] ImageStores stores)
    {
        var store = stores.Of(await stores.Chosen(node));
        await store.Remove(Uri.UnescapeDataString(image));
        return Results.NoContent();
    }

    private static async Task<ImageGarbage> CollectGarbage([FromQuery] string? gracePeriod, [FromQuery] string? node, [FromServices] IGrainFactory grains, [FromServices] ImageStores stores, CancellationToken cancellationToken)
    {
        var grace = Durations.Parse("gracePeriod", gracePeriod, DefaultGracePeriod);
        var answers = await EveryNode.Ask(grains, node, CollectWithin, n => stores.Of(n).CollectGarbage(grace), cancellationToken);
        return new ImageGarbage([.. answers.Answers.SelectMany(a => a.Answer)], answers.Skipped);
    }

    private static async Task<IResult> Manifest(string image, [FromQuery] string? node, [FromServices] ImageStores stores)
    {
        var store = stores.Of(await stores.Chosen(node));
        return Results.Bytes(await store.ReadManifest(Uri.UnescapeDataString(image)), "application/json");
    }

    /// <summary>The archive <c>image export</c> wrote, read from the node that holds it piece by piece, as nodes pull images from one another.</summary>
    private static async Task Export(string image, [FromQuery] string? node, HttpContext context, [FromServices] ImageStores stores)
    {
        var reference = Uri.UnescapeDataString(image);
        var store = stores.Of(await stores.Chosen(node));
        var digest = StoredImages.Find(await store.List(), reference)?.Digest ?? throw new NotFoundException($"no image '{reference}' in that node's store");
        var chunk = await store.ReadTransfer(digest, 0, TransferChunkBytes);
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = chunk.TotalBytes;
        long sent = 0;
        while (chunk.Data.Length > 0)
        {
            await context.Response.Body.WriteAsync(chunk.Data, context.RequestAborted);
            sent += chunk.Data.Length;
            if (sent >= chunk.TotalBytes)
            {
                break;
            }

            chunk = await store.ReadTransfer(digest, sent, TransferChunkBytes);
        }
    }

    /// <summary>
    /// The image's root filesystem (and manifest beside it, unless rootfsOnly) as a tar: extracted by this node into
    /// the daemon's own directory, streamed, and removed. Only this daemon's node extracts, as the tree is made here.
    /// </summary>
    private static async Task Extract(
        string image, [FromQuery] string? node, [FromQuery] string? rootfsOnly, HttpContext context,
        [FromServices] ImageStores stores, [FromServices] DaemonOptions options, [FromServices] ImageUploads uploads)
    {
        if (options.Mode == DaemonMode.Server)
        {
            throw new BadRequestException($"server {options.NodeName} keeps no images; ask the fleetpodsd of a node that holds the image");
        }

        if (node is not null && node != options.NodeName)
        {
            throw new BadRequestException($"node {options.NodeName} extracts only its own images; ask node {node}'s fleetpodsd");
        }

        var directory = uploads.NewDirectory();
        try
        {
            var tree = Path.Combine(directory, "image");
            await stores.Of(options.NodeName).Extract(Uri.UnescapeDataString(image), tree, QueryFlags.Parse("rootfsOnly", rootfsOnly));
            context.Response.ContentType = "application/x-tar";
            await TarFile.CreateFromDirectoryAsync(tree, context.Response.Body, includeBaseDirectory: false, context.RequestAborted);
        }
        finally
        {
            ImageUploads.Remove(directory);
        }
    }
}

/// <summary>The answer of <c>GET /v1/images</c>: every node's images, and the nodes that could not be asked.</summary>
public sealed record ImageList(IReadOnlyList<StoredImage> Images, IReadOnlyList<SkippedNode> Skipped);

/// <summary>The answer of <c>POST /v1/images/gc</c>: the images removed, and the nodes that could not be asked.</summary>
public sealed record ImageGarbage(IReadOnlyList<StoredImage> Removed, IReadOnlyList<SkippedNode> Skipped);

/// <summary>
/// The body of <c>POST /v1/images/fetch</c>. For a <c>docker://</c> reference: the caller's credentials for that
/// registry, the PEM of the CA its certificate must chain to, and whether plain HTTP is allowed. For an image
/// fetched over the network, <c>insecureOptions: ["image"]</c> stores it without checking its signature.
/// </summary>
public sealed record FetchRequest(
    string? Url, string? Ref, string? Name, string? Digest, FetchAuth? Auth = null, string? CaCertificates = null, bool? Insecure = null, string[]? InsecureOptions = null);

/// <summary>A registry user name and password in a fetch's body; never printed (ToString hides the password).</summary>
public sealed record FetchAuth(string? Username, string? Password)
{
    public override string ToString() => $"{Username}:********";
}

/// <summary>One line of <c>POST /v1/images/fetch</c>'s NDJSON answer: progress, then the image or the error.</summary>
public sealed record FetchLine
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ImageFetchProgress? Progress { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ImageInfo? Image { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}
