using System.Net;
using System.Text;
using System.Text.Json;
using FleetPods.Cli.Native;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Commands;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Tests;

/// <summary>Tables and messages made from the API's JSON, and the API's refusals as one line.</summary>
public sealed class RenderingTests
{
    private const string Unit = """
        {"name":"web.pod","description":"the web","isTemplate":false,"desiredState":"launched","submittedAt":"2026-01-02T03:04:05.678+01:00",
         "pod":{"id":"3f2a","unitName":"web.pod","image":"busybox","phase":"failed","nodeName":"n1","exitCode":null,"reason":"image busybox is on no node",
                "createdAt":"2026-01-02T02:04:06Z","startedAt":null,"finishedAt":null},
         "pods":[]}
        """;

    [Fact]
    public void A_table_has_upper_case_headers_and_columns_as_wide_as_their_widest_cell()
    {
        var text = ColumnWriter.Render(["pod", "phase"], [["3f2a-long-id", "running"], ["b", "exited\nwith a newline"]]);

        Assert.Equal("POD           PHASE\n3f2a-long-id  running\nb             exited with a newline\n", text);
    }

    [Fact]
    public void A_transition_names_the_failed_pod_and_why()
    {
        var unit = JsonDocument.Parse(Unit).RootElement;

        Assert.Equal("Unit web.pod launched, pod 3f2a failed on n1: image busybox is on no node", StatusText.Transition(unit));
        Assert.True(StatusText.HasFailedPod(unit));
    }

    [Fact]
    public void Status_shows_times_in_utc_to_the_second_and_dashes_for_what_is_not_there()
    {
        var unit = JsonDocument.Parse(Unit).RootElement;

        Assert.Equal(
            "Unit: web.pod\nDescription: the web\nDesired: launched\nSubmitted: 2026-01-02 02:04:05Z\n"
            + "Pod: 3f2a\nImage: busybox\nPhase: failed\nNode: n1\nExit code: -\nReason: image busybox is on no node\n"
            + "Created: 2026-01-02 02:04:06Z\nStarted: -\nFinished: -",
            StatusText.Unit(unit));
    }

    [Fact]
    public void Json_output_prints_the_answer_indented()
    {
        var writer = new StringWriter();
        var output = new CommandOutput(OutputFormat.Json, writer);

        output.Table(CommandOutput.Node(JsonDocument.Parse("""[{"id":"a"}]""").RootElement), ["pod"], [["a"]]);

        Assert.Equal("[\n  {\n    \"id\": \"a\"\n  }\n]\n", writer.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_refusal_is_the_apis_own_line_with_its_status()
    {
        using var api = Api(HttpStatusCode.Forbidden, """{"error":"list-pods needs the reader role; you are eve (nobody)"}""");

        var error = await Assert.ThrowsAsync<ApiException>(() => api.GetJson("v1/pods", CancellationToken.None));

        Assert.Equal((HttpStatusCode.Forbidden, "list-pods needs the reader role; you are eve (nobody)"), (error.Status, error.Message));
        Assert.Equal("list-pods needs the reader role; you are eve (nobody)", CommandRunner.Describe(error, api.Address, null));
    }

    [Fact]
    public async Task A_refusal_without_the_apis_error_says_the_status()
    {
        using var api = Api(HttpStatusCode.BadGateway, "<html>proxy</html>");

        var error = await Assert.ThrowsAsync<ApiException>(() => api.GetJson("v1/pods", CancellationToken.None));

        Assert.Equal("fleetpodsd at test answered 502 Bad Gateway", error.Message);
    }

    [Fact]
    public void A_lost_connection_is_one_line_without_a_stack_trace()
    {
        var line = CommandRunner.Describe(new HttpRequestException("An error occurred", new IOException("Connection reset by peer\n   at Somewhere()")), "/run/fleetpods/api-1.sock", null);

        Assert.Equal("lost fleetpodsd at /run/fleetpods/api-1.sock: Connection reset by peer", line);
    }

    [Fact]
    public void Durations_go_to_the_api_as_whole_milliseconds()
    {
        Assert.Equal("10000ms", DurationText.ToQuery(TimeSpan.FromSeconds(10)));
        Assert.Equal("500ms", DurationText.ToQuery(TimeSpan.FromMilliseconds(500)));
        Assert.True(DurationText.TryParse("2m", out var value) && value == TimeSpan.FromMinutes(2));
        Assert.False(DurationText.TryParse("2 days", out _));
    }

    private static ApiClient Api(HttpStatusCode status, string body) =>
        new(new HttpClient(new Answering(status, body)) { BaseAddress = new Uri("http://localhost/") }, "test", isLocal: true);

    /// <summary>A server that answers every request the same.</summary>
    private sealed class Answering(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request });
    }
}
