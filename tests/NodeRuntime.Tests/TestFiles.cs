using System.Diagnostics;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>Paths and real tools the runtime tests use: the repository's scripts, GNU tar, sha512sum.</summary>
public static class TestFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string MakeBusyboxAci => Path.Combine(RepositoryRoot, "deploy/examples/make-busybox-aci.sh");

    /// <summary>Runs a program (no shell unless asked for) and returns its stdout; fails the test on a non-zero exit.</summary>
    public static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr}");
        return stdout.Result;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FleetPods.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("FleetPods.sln not found above " + AppContext.BaseDirectory);
    }
}
