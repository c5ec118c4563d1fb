using System.Runtime.InteropServices;

namespace FleetPods.Cli.Native;

/// <summary>Replaces this process with the cluster client (fleetpods.dll beside it, run by dotnet), for every command but a local run.</summary>
internal static partial class ClusterClientHandoff
{
    private const int NotStarted = 127;

    public static int Exec(string[] arguments)
    {
        var client = Path.Combine(AppContext.BaseDirectory, "fleetpods.dll");
        if (!File.Exists(client))
        {
            Console.Error.WriteLine($"fleetpods: the cluster client {client} is missing; rebuild FleetPods.Cli");
            return NotStarted;
        }

        string?[] argv = ["dotnet", client, .. arguments, null];
        ExecVp("dotnet", argv);
        Console.Error.WriteLine($"fleetpods: cannot start the cluster client with dotnet: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return NotStarted;
    }

    // Tmds.LibC 0.5.0 binds no exec call, and .NET has none that replaces the process; this is the only libc call here.
    [LibraryImport("libc", EntryPoint = "execvp", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ExecVp(string file, string?[] argv);
}
