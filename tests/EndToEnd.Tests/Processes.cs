using System.Diagnostics;

namespace FleetPods.EndToEnd.Tests;

public static class Processes
{
    /// <param name="environment">Variables to set (a null value removes one) on top of this process's.</param>
    /// <param name="input">What the command reads on stdin, through a pipe that ends after it; null leaves stdin as this process's.</param>
    public static async Task<CommandResult> Run(
        string file, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null, string? input = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}");
        }

        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Starts a command that a test will interrupt with SIGINT, as a person's Ctrl-C would. Through env(1), which sets
    /// SIGINT back to its default first: a test run started in the background of a script inherits SIGINT ignored
    /// (POSIX does that for asynchronous lists), ignored signals stay ignored across exec, and the command would
    /// never see the interrupt under test.
    /// </summary>
    public static Process StartInterruptible(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--default-signal=INT", file, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    /// <summary>Waits until process <paramref name="pid"/> has ended (gone, or a zombie nobody reaped yet).</summary>
    public static async Task WaitUntilGone(int pid, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (IsAlive(pid))
        {
            Assert.True(DateTime.UtcNow < deadline, $"process {pid} still runs after {within.TotalSeconds} s");
            await Task.Delay(20);
        }
    }

    // /proc/PID/stat: "pid (comm) state ...", comm may hold spaces and parentheses, so the state follows the last ')'.
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

}
