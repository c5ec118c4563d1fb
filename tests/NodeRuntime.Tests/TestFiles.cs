using System.Diagnostics;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>Scripts and real tools the runtime tests use: the repository's scripts, GNU tar, sha512sum.</summary>
public static class TestFiles
{
    public static string MakeBusyboxAci => RepositoryRoot.Combine("deploy/examples/make-busybox-aci.sh");

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

    /// <summary>An image store with no blob, layer tree or record in it: what a refused import must leave.</summary>
    public static void AssertStoreHoldsNothing(string images)
    {
        Assert.Empty(Directory.GetFiles(images, "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetDirectories(Path.Combine(images, "layers")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(images, "records")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(images, "scratch")));
    }
}
