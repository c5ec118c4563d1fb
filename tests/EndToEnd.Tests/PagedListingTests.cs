using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// <c>GET /v1/pods</c> and <c>GET /v1/units</c> a page at a time on a real daemon, called with real curl on its
/// socket: each page an array in key order, the next one named by <c>Link: rel="next"</c> with the filters kept.
/// </summary>
public sealed class PagedListingTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();
    private readonly string units = Directory.CreateTempSubdirectory("fleetpods-paging-").FullName;

    public PagedListingTests(BusyboxImage image) => this.image = image;

    public async Task InitializeAsync()
    {
        if (Prerequisites.Missing(Requires.Root) is null || Prerequisites.RequireAll)
        {
            await daemon.StartWith(image);
            await new FrontDoorCurl(daemon).WaitUntilServed();
        }
    }

    public async Task DisposeAsync()
    {
        await daemon.DisposeAsync();
        Directory.Delete(units, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task Pods_and_units_come_a_page_at_a_time_and_the_link_leads_through_every_page()
    {
        foreach (var name in new[] { "page-a.pod", "page-b.pod", "page-c.pod" })
        {
            var path = Path.Combine(units, name);
            await File.WriteAllTextAsync(path, $"[Pod]\nImage=example.com/busybox\nExec=/bin/true\nCount={(name == "page-a.pod" ? 5 : 1)}\n");
            var started = await daemon.Cli("start", path);
            Assert.True(started.ExitCode == 0, started.ToString());
        }

        var podPages = await Walk("/v1/pods?limit=2&unit=page-a");
        var unitPages = await Walk("/v1/units?limit=2");

        var podIds = podPages.SelectMany(p => p.Items).ToList();
        Assert.Equal([2, 2, 1], podPages.Select(p => p.Items.Count));
        Assert.Equal(podIds.Order(StringComparer.Ordinal), podIds);
        Assert.Equal(5, podIds.Distinct().Count());
        Assert.Equal(podIds.Order(StringComparer.Ordinal), (await daemon.CliJson("list-pods", "--unit", "page-a")).EnumerateArray().Select(p => p.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(podPages.Skip(1), p => Assert.Contains("unit=page-a", p.Path, StringComparison.Ordinal));
        Assert.Equal(["page-a.pod page-b.pod", "page-c.pod"], unitPages.Select(p => string.Join(" ", p.Items)));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_nodes_pods_are_the_ones_it_holds_a_page_at_a_time_and_a_node_that_never_joined_holds_none()
    {
        foreach (var (name, count) in new[] { ("held-a.pod", 3), ("held-b.pod", 2) })
        {
            var path = Path.Combine(units, name);
            await File.WriteAllTextAsync(path, $"[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\nCount={count}\n");
            var started = await daemon.Cli("start", path);
            Assert.True(started.ExitCode == 0, started.ToString());
        }

        var all = await WaitForPods(5, "running");
        var nodePages = await Walk($"/v1/pods?node={daemon.NodeName}&limit=2");
        var ofB = (await Walk($"/v1/pods?node={daemon.NodeName}&unit=held-b&phase=running&limit=1")).SelectMany(p => p.Items).ToList();
        var (unknownStatus, unknownNext, unknownBody) = await Get("/v1/pods?node=never-joined");

        Assert.Equal([2, 2, 1], nodePages.Select(p => p.Items.Count));
        Assert.Equal(all.Select(p => p.Id).Order(StringComparer.Ordinal), nodePages.SelectMany(p => p.Items));
        Assert.All(nodePages.Skip(1), p => Assert.Contains($"node={daemon.NodeName}", p.Path, StringComparison.Ordinal));
        Assert.Equal(all.Where(p => p.Unit == "held-b.pod").Select(p => p.Id).Order(StringComparer.Ordinal), ofB);
        Assert.Equal((200, (string?)null, "[]"), (unknownStatus, unknownNext, unknownBody));

        // A stopped unit's pods have ended and hold nothing on the node any more.
        var stopped = await daemon.Cli("stop", "held-b");
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        await WaitForPods(2, "exited");
        var held = (await Walk($"/v1/pods?node={daemon.NodeName}")).SelectMany(p => p.Items);
        Assert.Equal(all.Where(p => p.Unit == "held-a.pod").Select(p => p.Id).Order(StringComparer.Ordinal), held);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_limit_out_of_range_is_refused_naming_it()
    {
        var (status, _, body) = await Get("/v1/pods?limit=5000");

        Assert.Equal(400, status);
        Assert.Equal("limit='5000' is not a whole number from 1 to 1000", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
    }

    // Polls the whole listing until `count` pods are in `phase`; every pod as (id, unit).
    private async Task<List<(string Id, string Unit)>> WaitForPods(int count, string phase)
    {
        var deadline = DateTime.UtcNow + Within;
        while (true)
        {
            var pods = (await daemon.CliJson("list-pods")).EnumerateArray().ToList();
            if (pods.Count(p => p.GetProperty("phase").GetString() == phase) == count)
            {
                return [.. pods.Select(p => (p.GetProperty("id").GetString()!, p.GetProperty("unitName").GetString()!))];
            }

            Assert.True(DateTime.UtcNow < deadline, $"{count} pods were never {phase}: {string.Join(", ", pods)}\n{daemon.Log}");
            await Task.Delay(200);
        }
    }

    // Every page from the first, following each answer's Link rel="next" until an answer has none.
    private async Task<List<(string Path, List<string> Items)>> Walk(string first)
    {
        var pages = new List<(string Path, List<string> Items)>();
        for (string? path = first; path is not null;)
        {
            Assert.True(pages.Count < 10, $"more pages than there are items: {string.Join(", ", pages.Select(p => p.Path))}");
            var (status, next, body) = await Get(path);
            Assert.Equal(200, status);
            pages.Add((path, [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(i => (i.TryGetProperty("id", out var id) ? id : i.GetProperty("name")).GetString()!)]));
            path = next;
        }

        return pages;
    }

    private async Task<(int Status, string? Next, string Body)> Get(string path)
    {
        var result = await Processes.Run("curl", ["-sS", "-i", "--unix-socket", new FrontDoorCurl(daemon).Socket, $"http://localhost{path}"], Within);
        Assert.True(result.ExitCode == 0, result.ToString());
        var split = result.Stdout.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = result.Stdout[..split].Split("\r\n");
        var status = int.Parse(headers[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var link = headers.FirstOrDefault(h => h.StartsWith("Link:", StringComparison.OrdinalIgnoreCase));
        var next = link is null ? null : link[(link.IndexOf('<', StringComparison.Ordinal) + 1)..link.IndexOf('>', StringComparison.Ordinal)];
        return (status, next, result.Stdout[(split + 4)..]);
    }
}
