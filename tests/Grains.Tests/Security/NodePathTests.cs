using FleetPods.Grains.Security;

namespace FleetPods.Grains.Tests.Security;

/// <summary>The node's resolution of host paths: links and '..' cannot pass for a directory the policy names.</summary>
public sealed class NodePathTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("fleetpods-nodepath-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Links_and_dot_dot_are_resolved_as_the_kernel_would()
    {
        Directory.CreateDirectory(Path.Combine(root, "srv/data"));
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.CreateSymbolicLink(Path.Combine(root, "srv/data/escape"), Path.Combine(root, "etc"));
        File.CreateSymbolicLink(Path.Combine(root, "srv/alias"), "data");

        Assert.Equal(Path.Combine(root, "etc"), NodePath.Resolve(Path.Combine(root, "srv/data/escape")));
        Assert.Equal(Path.Combine(root, "srv/data"), NodePath.Resolve(Path.Combine(root, "srv/alias")));
        Assert.Equal(Path.Combine(root, "srv"), NodePath.Resolve(Path.Combine(root, "srv/data/escape/../srv")));
        Assert.Null(NodePath.Resolve(Path.Combine(root, "srv/missing")));
    }

    [Fact]
    public void A_link_loop_resolves_to_nothing()
    {
        File.CreateSymbolicLink(Path.Combine(root, "a"), Path.Combine(root, "b"));
        File.CreateSymbolicLink(Path.Combine(root, "b"), Path.Combine(root, "a"));

        Assert.Null(NodePath.Resolve(Path.Combine(root, "a")));
    }
}
