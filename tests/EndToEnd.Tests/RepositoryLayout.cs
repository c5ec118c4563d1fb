
namespace FleetPods.EndToEnd.Tests;

/// <summary>Where the built fleetpodsd and fleetpods live, found from this test assembly's own build output.</summary>
public static class RepositoryLayout
{
    // bin/<Configuration>/<tfm>/ of this project; the daemon and CLI are built with the same configuration.
    private static readonly string Configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    public static string Daemon => Built("src/Silo", "fleetpodsd.dll");

    /// <summary>The native <c>fleetpods</c> command people run: a client of fleetpodsd's HTTP API for every command.</summary>
    public static string Cli => Built("src/Cli/FleetPods.Cli.Native", "fleetpods");

    public static string Script(string relative) => RepositoryRoot.Combine(relative);

    private static string Built(string project, string assembly)
    {
        var path = Path.Combine(RepositoryRoot.Path, project, "bin", Configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{assembly} is not built; build FleetPods.sln first", path);
    }
}
