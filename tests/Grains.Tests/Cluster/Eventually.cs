namespace FleetPods.Grains.Tests.Cluster;

/// <summary>Waits for state that arrives asynchronously (pod reports), failing with what was last seen.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        T last;
        while (!done(last = await read()))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}; last seen: {last}");
            }

            await Task.Delay(20);
        }

        return last;
    }
}
