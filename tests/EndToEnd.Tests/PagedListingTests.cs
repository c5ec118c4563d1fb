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
    public async Task A_limit_out_of_range_is_refused_naming_it()
    {
        var (status, _, body) = await Get("/v1/pods?limit=5000");

        Assert.Equal(400, status);
        Assert.Equal("limit='5000' is not a whole number from 1 to 1000", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
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
