using System.Net;
using System.Text;
using FleetPods.Cli.Native;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Commands;

namespace FleetPods.Cli.Tests;

/// <summary>The CLI reads a paged listing through every page the API's <c>Link: rel="next"</c> names, as one array.</summary>
public sealed class PagedListingTests
{
    [Fact]
    public async Task Every_page_is_read_in_turn_with_its_filters_and_the_items_come_back_as_one_array()
    {
        var server = new Pages(new Dictionary<string, (string Body, string? Next)>
        {
            ["/v1/pods?node=n1"] = ("""[{"id":"a"},{"id":"b"}]""", "/v1/pods?node=n1&after=b"),
            ["/v1/pods?node=n1&after=b"] = ("""[{"id":"c"},{"id":"d"}]""", "/v1/pods?node=n1&after=d"),
            ["/v1/pods?node=n1&after=d"] = ("[]", null),
        });
        using var api = new ApiClient(new HttpClient(server) { BaseAddress = new Uri("http://localhost/") }, "test", isLocal: true);

        var all = await PagedListing.ReadAll(api, "v1/pods?node=n1", CancellationToken.None);

        Assert.Equal(["a", "b", "c", "d"], all.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        Assert.Equal(["/v1/pods?node=n1", "/v1/pods?node=n1&after=b", "/v1/pods?node=n1&after=d"], server.Asked);
    }

    [Theory]
    [InlineData("</v1/units?after=web.pod>; rel=\"next\"", "/v1/units?after=web.pod")]
    [InlineData("</v1/units?after=a>; rel=\"prev\", </v1/units?after=z>; rel=next", "/v1/units?after=z")]
    [InlineData("</v1/units?after=a>; rel=\"prev\"", null)]
    public void The_next_page_is_the_link_whose_rel_is_next(string header, string? next)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("Link", header);

        Assert.Equal(next, PagedListing.Next(response));
    }

    [Fact]
    public async Task A_page_that_is_not_a_json_array_is_one_line_naming_the_request()
    {
        var server = new Pages(new Dictionary<string, (string Body, string? Next)> { ["/v1/units"] = ("""{"name":"web.pod"}""", null) });
        using var api = new ApiClient(new HttpClient(server) { BaseAddress = new Uri("http://localhost/") }, "test", isLocal: true);

        var error = await Assert.ThrowsAsync<CliException>(() => PagedListing.ReadAll(api, "v1/units", CancellationToken.None));

        Assert.Equal("fleetpodsd at test answered GET v1/units with something that is not a JSON array", error.Message);
    }

    /// <summary>An API whose pages are given by path and query, each with the next page's link.</summary>
    private sealed class Pages(Dictionary<string, (string Body, string? Next)> pages) : HttpMessageHandler
    {
        public List<string> Asked { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.RequestUri!.PathAndQuery;
            Asked.Add(target);
            var (body, next) = pages[target];
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request };
            if (next is not null)
            {
                response.Headers.TryAddWithoutValidation("Link", $"<{next}>; rel=\"next\"");
            }

            return Task.FromResult(response);
        }
    }
}
