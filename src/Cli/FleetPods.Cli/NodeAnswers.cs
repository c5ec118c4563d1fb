namespace FleetPods.Cli;

/// <summary>What the nodes that are up answered to one question (see <see cref="EveryNode"/>), and the nodes that could not.</summary>
public sealed record NodeAnswers<T>(IReadOnlyList<(string Node, T Answer)> Answers, IReadOnlyList<SkippedNode> Skipped)
{
    /// <summary>Names each skipped node on stderr, saying what is missing because of it.</summary>
    public void WarnSkipped(string consequence)
    {
        foreach (var node in Skipped)
        {
            Console.Error.WriteLine(node.Warning(consequence));
        }
    }
}
