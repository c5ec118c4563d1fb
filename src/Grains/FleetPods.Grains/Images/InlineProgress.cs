namespace FleetPods.Grains.Images;

/// <summary>
/// Reports progress by calling <paramref name="report"/> on the reporting thread. .NET's <see cref="Progress{T}"/>
/// posts to the creator's synchronization context instead, which for a grain is its scheduler, busy awaiting the
/// very download that reports.
/// </summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
