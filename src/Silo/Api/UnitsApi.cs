using System.Security.Cryptography;
using System.Text;
using FleetPods.Grains;
using FleetPods.Grains.Security;
using FleetPods.Grains.UnitFiles;
using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace FleetPods.Silo.Api;

/// <summary>Units: list (a page at a time), status, the file, submit, fleet's transitions (load, start, stop, unload, destroy) and waiting for their pods.</summary>
public static class UnitsApi
{
    // A unit file is a few hundred bytes; this bounds what a caller can make the daemon hold.
    private const int MaxUnitFileBytes = 1 << 20;

    // A batch start: its body is bounded too (JsonBody's 1 MiB); its units start this many at a time.
    private const int MaxBatch = 1000;
    private const int BatchParallelism = 32;
    private static readonly TimeSpan WaitPoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(10);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v1/units", List).Requires(Role.Reader, "listing units");
        api.MapGet("/v1/unit-files", ListFiles).Requires(Role.Reader, "listing unit files");
        api.MapGet("/v1/units/{name}", Get).Requires(Role.Reader, "showing a unit");
        api.MapGet("/v1/units/{name}/file", GetFile).Requires(Role.Reader, "reading a unit file").Produces<string>(contentType: "text/plain");
        api.MapPut("/v1/units/{name}", Submit).Requires(Role.Operator, "submitting a unit");
        api.MapPost("/v1/units/{name}/load", Load).Requires(Role.Operator, "loading a unit");
        api.MapPost("/v1/units/{name}/start", Start).Requires(Role.Operator, "starting a unit");
        api.MapPost("/v1/units/{name}/stop", Stop).Requires(Role.Operator, "stopping a unit");
        api.MapPost("/v1/units/{name}/unload", Unload).Requires(Role.Operator, "unloading a unit");
        api.MapDelete("/v1/units/{name}", Destroy).Requires(Role.Operator, "destroying a unit");
        api.MapGet("/v1/units/{name}/wait", Wait).Requires(Role.Reader, "waiting for a unit");
        api.MapPost("/v1/units/start", StartMany).Requires(Role.Operator, "starting units");
    }

    /// <summary>One page of units in name order (<see cref="PageQuery"/>), templates and inactive ones too.</summary>
    private static async Task<List<UnitStatus>> List(
        [FromQuery] string? limit, [FromQuery] string? after, HttpContext http, [FromServices] IGrainFactory grains, CancellationToken cancellationToken)
    {
        var page = PageQuery.Parse(limit, after);
        var names = await ReadRetry.Run(() => new KeyRegistry(grains, RegistryKind.Units).ListPage(page.After, page.Limit), cancellationToken);
        if (names.Count == page.Limit)
        {
            PageQuery.LinkNext(http, names[^1]);
        }

        return [.. (await ReadRetry.Run(() => Task.WhenAll(names.Select(n => grains.GetGrain<IUnitGrain>(n).GetStatus())), cancellationToken)).OfType<UnitStatus>()];
    }

    private static async Task<List<UnitFileSummary>> ListFiles([FromServices] IGrainFactory grains, CancellationToken cancellationToken)
    {
        var statuses = await ReadRetry.Run(() => Statuses(grains), cancellationToken);
        var texts = await ReadRetry.Run(() => Task.WhenAll(statuses.Select(u => grains.GetGrain<IUnitGrain>(u.Name).GetText())), cancellationToken);
        return [.. statuses.Select((u, i) => new UnitFileSummary(u.Name, ShortHash(texts[i] ?? ""), u.DesiredState, u.IsTemplate, u.Description))];
    }

    private static async Task<UnitStatus> Get(string name, [FromServices] IGrainFactory grains) =>
        await Existing(grains, UnitNames.Of(name));

    private static async Task<IResult> GetFile(string name, [FromServices] IGrainFactory grains)
    {
        var unit = UnitNames.Of(name);
        var text = await grains.GetGrain<IUnitGrain>(unit).GetText() ?? throw new NotFoundException($"unit {unit} not found");
        return Results.Text(text, "text/plain; charset=utf-8");
    }

    private static async Task<UnitStatus> Submit(string name, HttpRequest request, [FromServices] IGrainFactory grains)
    {
        var unit = UnitNames.Of(name);
        var text = await ReadText(request);
        var result = await grains.GetGrain<IUnitGrain>(unit).Submit(unit, text);
        if (!result.Succeeded)
        {
            throw new UnitFileRejectedException(result);
        }

        return await Existing(grains, unit);
    }

    private static async Task<UnitStatus> Load(string name, [FromServices] IGrainFactory grains)
    {
        var unit = UnitNames.Of(name);
        await ExistingOrInstance(grains, unit);
        return await grains.GetGrain<IUnitGrain>(unit).Load();
    }

    private static async Task<UnitStatus> Start(string name, [FromServices] IGrainFactory grains)
    {
        var unit = UnitNames.Of(name);
        await ExistingOrInstance(grains, unit);
        return await grains.GetGrain<IUnitGrain>(unit).Start();
    }

    private static async Task<UnitStatus> Stop(string name, [FromQuery] string? grace, [FromQuery] string? force, [FromServices] IGrainFactory grains)
    {
        var unit = UnitNames.Of(name);
        var wait = QueryFlags.Parse("force", force) ? TimeSpan.Zero : Durations.Parse("grace", grace, DefaultGrace);
        await Existing(grains, unit);
        return await grains.GetGrain<IUnitGrain>(unit).Stop(wait);
    }

    private static async Task<UnitStatus> Unload(string name, [FromQuery] string? grace, [FromServices] IGrainFactory grains)
    {
        var unit = UnitNames.Of(name);
        var wait = Durations.Parse("grace", grace, DefaultGrace);
        await Existing(grains, unit);
        return await grains.GetGrain<IUnitGrain>(unit).Unload(wait);
    }

    private static async Task<IResult> Destroy(string name, [FromQuery] string? grace, [FromServices] IGrainFactory grains)
    {
        var unit = UnitNames.Of(name);
        var wait = Durations.Parse("grace", grace, DefaultGrace);
        await Existing(grains, unit);
        await grains.GetGrain<IUnitGrain>(unit).Destroy(wait);
        return Results.NoContent();
    }

    // Many units in one call (fleetpods start a.pod b.pod …), each submitted first when its file comes with it. Each
    // unit succeeds or fails alone, so the answer is 200 with one result per unit, in the order asked.
    private static async Task<List<UnitStartResult>> StartMany(HttpRequest request, [FromServices] IGrainFactory grains, [FromServices] ILoggerFactory loggers)
    {
        var batch = await JsonBody.Read<UnitStartBatch>(request);
        if (batch.Units is not { Count: > 0 and <= MaxBatch } units)
        {
            throw new BadRequestException($"the body needs \"units\": 1 to {MaxBatch} of {{\"name\": …, \"file\": …}} (file optional)");
        }

        var results = new UnitStartResult[units.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = request.HttpContext.RequestAborted };
        await Parallel.ForEachAsync(Enumerable.Range(0, units.Count), parallel, async (i, _) => results[i] = await StartOne(grains, units[i]));

        // The audit line names the endpoint only; this one names what the batch did, unit by unit.
        loggers.CreateLogger(typeof(UnitsApi)).LogInformation("Batch start for {Caller}: {Results}", LogText.Of(CallerContext.Current.Name),
            LogText.Of(string.Join(", ", results.Select(r => r.Status is not null ? $"{r.Name} started" : $"{r.Name} refused: {r.Error}"))));
        return [.. results];
    }

    private static async Task<UnitStartResult> StartOne(IGrainFactory grains, UnitStartRequest? asked)
    {
        if (asked?.Name is not { Length: > 0 } name)
        {
            return new UnitStartResult("", null, "each unit needs \"name\" (e.g. web or web.pod)", null);
        }

        try
        {
            var unit = UnitNames.Of(name);
            if (asked.File is { } text)
            {
                var submitted = await grains.GetGrain<IUnitGrain>(unit).Submit(unit, text);
                if (!submitted.Succeeded)
                {
                    return new UnitStartResult(unit, null, new UnitFileRejectedException(submitted).Message, submitted.Errors);
                }
            }

            await ExistingOrInstance(grains, unit);
            return new UnitStartResult(unit, await grains.GetGrain<IUnitGrain>(unit).Start(), null, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new UnitStartResult(name, null, ApiErrors.Describe(ex).Line, null);
        }
    }

    // Until every pod of the unit has ended; a unit that is loaded or launched but has no pod yet is waited for too.
    // The caller going away cancels the wait (RequestAborted).
    private static async Task<UnitStatus> Wait(string name, [FromServices] IGrainFactory grains, CancellationToken cancellationToken)
    {
        var unit = UnitNames.Of(name);
        var grain = grains.GetGrain<IUnitGrain>(unit);
        var status = await Existing(grains, unit);
        if (status.DesiredState == UnitDesiredState.Inactive && UnitPods.Of(status).Count == 0)
        {
            throw new ConflictException($"unit {unit} is inactive and has no pod to wait for (start it first)");
        }

        while (UnitPods.Of(status) is var pods && (pods.Count == 0 || !pods.All(p => p.HasEnded)))
        {
            await Task.Delay(WaitPoll, cancellationToken);
            status = await grain.GetStatus() ?? throw new NotFoundException($"unit {unit} was destroyed while waiting for its pod");
        }

        return status;
    }

    // A template's instance (web@1.pod) is made from its template (web@.pod) by its first load or start.
    private static async Task ExistingOrInstance(IGrainFactory grains, string unit) =>
        await Existing(grains, UnitName.TryParse(unit, out var parsed, out _) && parsed!.Instance is { Length: > 0 } ? parsed.TemplateName : unit);

    private static async Task<UnitStatus> Existing(IGrainFactory grains, string unit) =>
        await grains.GetGrain<IUnitGrain>(unit).GetStatus() ?? throw new NotFoundException($"unit {unit} not found");

    private static async Task<string> ReadText(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxUnitFileBytes)
            {
                throw new BadRequestException($"the unit file is larger than {MaxUnitFileBytes >> 20} MiB");
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw new BadRequestException("the unit file is not UTF-8 text");
        }
    }

    private static async Task<List<UnitStatus>> Statuses(IGrainFactory grains)
    {
        var names = await new KeyRegistry(grains, RegistryKind.Units).List();
        return [.. (await Task.WhenAll(names.Select(n => grains.GetGrain<IUnitGrain>(n).GetStatus()))).OfType<UnitStatus>()];
    }

    private static string ShortHash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..7];
}

/// <summary>One row of <c>GET /v1/unit-files</c>: a submitted unit file and the short hash of its text.</summary>
public sealed record UnitFileSummary(string Name, string Hash, UnitDesiredState DesiredState, bool IsTemplate, string? Description);

/// <summary>The body of <c>POST /v1/units/start</c>.</summary>
public sealed record UnitStartBatch(IReadOnlyList<UnitStartRequest?>? Units);

/// <summary>A unit to start, by name; with <paramref name="File"/>, the unit file to submit first (as <c>PUT /v1/units/{name}</c>).</summary>
public sealed record UnitStartRequest(string? Name, string? File);

/// <summary>One unit's result in a batch start: its status once started, or the line saying why not (and a refused file's errors).</summary>
public sealed record UnitStartResult(string Name, UnitStatus? Status, string? Error, IReadOnlyList<UnitFileError>? Errors);
