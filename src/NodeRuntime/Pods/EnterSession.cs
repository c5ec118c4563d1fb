using System.Diagnostics;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// A command this daemon runs inside a pod's app for a caller (<see cref="PodRuntime.StartSessionAsync"/>): its
/// supervisor (<c>fleetpods-shim --enter</c>), its console, and its output file under the pod's <c>sessions/ID/</c>.
/// </summary>
internal sealed class EnterSession(string id, string output, Process supervisor, PodConsoleRelay? console, TimeSpan drainWait)
{
    public string Id { get; } = id;

    /// <summary>The command's output, and the supervisor's complaints, appended as written.</summary>
    public string Output { get; } = output;

    public PodConsoleRelay? Console { get; } = console;

    /// <summary>The command's exit code (125 when it could not start), once its terminal's last output is in <see cref="Output"/>.</summary>
    public Task<int> Exit { get; } = WaitForExit(supervisor, console, drainWait);

    /// <summary>Ends the command: the supervisor is killed, and the command with it (its parent-death signal).</summary>
    public void End()
    {
        try
        {
            supervisor.Kill();
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
        }
    }

    private static async Task<int> WaitForExit(Process supervisor, PodConsoleRelay? console, TimeSpan drainWait)
    {
        using (supervisor)
        {
            await supervisor.WaitForExitAsync();
            if (console is not null)
            {
                await console.CloseAsync(drainWait);
            }

            return supervisor.ExitCode;
        }
    }
}
