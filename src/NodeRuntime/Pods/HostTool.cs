using System.Diagnostics;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>Runs iproute2 and nftables, the node's own network tools (from Debian's packages), with an argument list and no shell.</summary>
internal static class HostTool
{
    public static string Ip => Find("ip");

    public static string Nft => Find("nft");

    /// <summary>Runs the tool; returns its exit code and what it wrote to stderr. <paramref name="input"/> goes to its stdin.</summary>
    public static (int ExitCode, string Error) Run(string tool, IEnumerable<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = input is not null };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new PodLaunchException($"{tool} did not start");
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = output.Result;
        return (process.ExitCode, error.Trim());
    }

    /// <summary>Runs the tool and throws <see cref="PodLaunchException"/> naming the command when it fails.</summary>
    public static void Must(string tool, IEnumerable<string> arguments, string? input = null)
    {
        var list = arguments.ToList();
        var (code, error) = Run(tool, list, input);
        if (code != 0)
        {
            throw new PodLaunchException($"{Path.GetFileName(tool)} {string.Join(' ', list)} failed: {error}");
        }
    }

    private static readonly string[] Directories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    private static string Find(string name) =>
        Directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new PodLaunchException($"'{name}' is not installed on this node (Debian: apt-get install {(name == "ip" ? "iproute2" : "nftables")})");
}
