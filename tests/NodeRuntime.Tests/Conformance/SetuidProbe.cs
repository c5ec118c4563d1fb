namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>
/// A static program, setuid root, that prints its effective uid: with no_new_privs a user running it stays
/// that user, without it the user becomes root. Built with gcc (which the shim's build needs anyway) into a
/// directory the tests mount into pods as a host volume.
/// </summary>
public sealed class SetuidProbe : IDisposable
{
    private readonly TestDirectory directory = new();

    public SetuidProbe()
    {
        var source = System.IO.Path.Combine(directory.Path, "euid.c");
        File.WriteAllText(source, "#include <stdio.h>\n#include <unistd.h>\nint main(void) { printf(\"%d\\n\", (int)geteuid()); return 0; }\n");
        TestFiles.Run("gcc", "-static", "-O2", "-o", Program, source);
        TestFiles.Run("chmod", "4755", Program);
        TestFiles.Run("chmod", "755", directory.Path);
    }

    /// <summary>The host directory holding the program as <c>euid</c>.</summary>
    public string Directory => directory.Path;

    private string Program => System.IO.Path.Combine(directory.Path, "euid");

    public void Dispose() => directory.Dispose();
}
