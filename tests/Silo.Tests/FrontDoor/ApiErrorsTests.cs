using FleetPods.Cli;
using FleetPods.Grains;
using FleetPods.Silo.FrontDoor;

namespace FleetPods.Silo.Tests.FrontDoor;

/// <summary>Each kind of failure has its status code, chosen by type in the one place the API answers failures.</summary>
public sealed class ApiErrorsTests
{
    public static TheoryData<Exception, int> Failures => new()
    {
        { new ForbiddenException("x"), 403 },
        { new NotFoundException("x"), 404 },
        { new ConflictException("x"), 409 },
        { new BadRequestException("x"), 400 },
        { new CliException("x"), 400 },
        { new FleetPodsException("x"), 400 },
        { new NodeUnavailableException("x"), 503 },
        { new TimeoutException("x"), 503 },
        { new InvalidOperationException("x"), 500 },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failure_gets_the_status_of_its_kind(Exception failure, int status) =>
        Assert.Equal(status, ApiErrors.Describe(failure).Status);

    [Fact]
    public void An_unexpected_failure_is_one_line_without_its_trace() =>
        Assert.Equal("the cluster failed the request: broken", ApiErrors.Describe(new InvalidOperationException("broken\n   at Somewhere()")).Line);
}
