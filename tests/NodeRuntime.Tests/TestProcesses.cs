namespace FleetPods.NodeRuntime.Tests;

/// <summary>What the host's /proc says about a process, for checks that a pod's processes are really gone.</summary>
public static class TestProcesses
{
    /// <summary>True while the process exists and is not a zombie waiting for its parent.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Waits (up to <paramref name="within"/>) for the process to stop running; true when it did.</summary>
    public static async Task<bool> Ends(int pid, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (IsRunning(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    /// <summary>A memory figure (kB) of /proc/PID/status, such as VmRSS or RssAnon.</summary>
    public static int StatusKilobytes(int pid, string field) =>
        int.Parse(
            File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            System.Globalization.CultureInfo.InvariantCulture);
}
