using FleetPods.NodeRuntime;

namespace FleetPods.Silo.Tests;

public sealed class LaunchAnswersTests
{
    [Fact]
    public async Task A_pods_first_change_past_preparing_answers_its_launch_and_is_not_reported()
    {
        var answers = new LaunchAnswers();
        var launch = answers.Expect("pod-1");
        var answered = answers.Answer("pod-1", launch);

        Assert.False(answers.TryAnswer(Change("pod-1", PodPhase.Preparing)));
        Assert.False(answers.TryAnswer(Change("pod-2", PodPhase.Running)));
        Assert.True(answers.TryAnswer(Change("pod-1", PodPhase.Running)));
        Assert.Equal(PodPhase.Running, (await answered)!.Phase);

        // Its exit comes after the answer: reported as every other change is.
        Assert.False(answers.TryAnswer(Change("pod-1", PodPhase.Exited)));
    }

    [Fact]
    public async Task A_launch_that_outlasts_the_wait_is_answered_without_a_change_and_its_pods_running_is_reported()
    {
        var answers = new LaunchAnswers(TimeSpan.FromMilliseconds(50));
        var launch = answers.Expect("pod-1");

        Assert.Null(await answers.Answer("pod-1", launch));
        Assert.False(answers.TryAnswer(Change("pod-1", PodPhase.Running)));
    }

    [Fact]
    public async Task A_launch_that_fails_is_answered_with_its_failure()
    {
        var answers = new LaunchAnswers();
        var launch = answers.Expect("pod-1");

        Assert.True(answers.TryAnswer(Change("pod-1", PodPhase.Failed) with { Reason = "image has no /bin/sh" }));
        var answer = await answers.Answer("pod-1", launch);

        Assert.Equal((PodPhase.Failed, "image has no /bin/sh"), (answer!.Phase, answer.Reason));
    }

    private static PodStateChange Change(string podId, PodPhase phase) => new(podId, phase, null, null, DateTimeOffset.UtcNow);
}
