using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Extracted layer trees, one per layer key, each built once: concurrent requests for the same missing layer
/// share one extraction, which writes to a temporary name and is renamed into place only when complete, so a
/// crash (even SIGKILL) mid-extraction leaves nothing a later pod would use. Leftovers are removed at start.
/// </summary>
internal sealed class LayerCache
{
    private const string TemporaryPrefix = ".tmp-";
    private readonly string root;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> building = new(StringComparer.Ordinal);
    private int extractions;

    public LayerCache(string root, ILogger logger)
    {
        this.root = root;
        this.logger = logger;
        Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var leftover in Directory.GetDirectories(root, TemporaryPrefix + "*"))
        {
            Directory.Delete(leftover, recursive: true);
        }
    }

    /// <summary>How many trees this cache has built since it was made.</summary>
    public int Extractions => extractions;

    public string PathOf(string key) => Path.Combine(root, key);

    public bool Contains(string key) => Directory.Exists(PathOf(key));

    public IEnumerable<string> Keys() =>
        Directory.EnumerateDirectories(root).Select(Path.GetFileName).Where(k => !k!.StartsWith(TemporaryPrefix, StringComparison.Ordinal))!;

    /// <summary>
    /// The layer's tree, built by <paramref name="build"/> (which fills the empty directory it is given) if the
    /// cache lacks it. The build is shared and not cancelled when one waiter gives up.
    /// </summary>
    public async Task<string> EnsureAsync(string key, Action<string> build, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (Directory.Exists(path))
        {
            return path;
        }

        var pending = building.GetOrAdd(key, _ => new Lazy<Task<string>>(() => Task.Run(() => Build(key, build))));
        try
        {
            return await pending.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (pending.Value.IsCompleted)
            {
                building.TryRemove(KeyValuePair.Create(key, pending));
            }
        }
    }

    public void Remove(string key)
    {
        var path = PathOf(key);
        if (!Directory.Exists(path))
        {
            return;
        }

        // Renamed first so a removal cut short leaves a leftover, never a partial tree under the key.
        var doomed = Path.Combine(root, TemporaryPrefix + Guid.NewGuid().ToString("N"));
        Directory.Move(path, doomed);
        Directory.Delete(doomed, recursive: true);
    }

    private string Build(string key, Action<string> build)
    {
        var path = PathOf(key);
        if (Directory.Exists(path))
        {
            return path;
        }

        var temporary = Path.Combine(root, TemporaryPrefix + Guid.NewGuid().ToString("N"));
        Interlocked.Increment(ref extractions);
        logger.LogInformation("Extracting layer {Layer}", key);
        try
        {
            build(temporary);
            Directory.Move(temporary, path);
        }
        catch (IOException) when (Directory.Exists(path))
        {
            // Another process sharing this store finished the same layer first; its tree is the same.
            Directory.Delete(temporary, recursive: true);
        }
        catch
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }

            throw;
        }

        return path;
    }
}
