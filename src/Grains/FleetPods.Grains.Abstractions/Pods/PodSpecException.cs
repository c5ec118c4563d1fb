namespace FleetPods.Grains;

/// <summary>A pod refused by <see cref="PodValidator"/>: its message lists every problem, and <see cref="Problems"/> says which fields they are in.</summary>
[GenerateSerializer]
public sealed class PodSpecException : FleetPodsException
{
    public PodSpecException()
        : this([])
    {
    }

    public PodSpecException(string message)
        : base(message)
    {
        Problems = [];
    }

    public PodSpecException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [];
    }

    public PodSpecException(IReadOnlyList<PodProblem> problems)
        : base("invalid pod: " + string.Join("; ", (problems ?? throw new ArgumentNullException(nameof(problems))).Select(p => p.ToString())))
    {
        Problems = problems;
    }

    [Id(0)]
    public IReadOnlyList<PodProblem> Problems { get; private set; }
}
