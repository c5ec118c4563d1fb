namespace FleetPods.Silo.Api;

/// <summary>What the nodes that are up answered to one question (see <see cref="EveryNode"/>), and the nodes that could not.</summary>
public sealed record NodeAnswers<T>(IReadOnlyList<(string Node, T Answer)> Answers, IReadOnlyList<SkippedNode> Skipped);
