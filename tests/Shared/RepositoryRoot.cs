namespace FleetPods.Tests;

/// <summary>The checkout the tests were built from, found by walking up from the test assembly to FleetPods.sln.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Combine(string relative) => System.IO.Path.Combine(Path, relative);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "FleetPods.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("FleetPods.sln not found above " + AppContext.BaseDirectory);
    }
}
