using System.Formats.Tar;
using FleetPods.Cli.Native;
using FleetPods.Cli.Native.Images;

namespace FleetPods.Cli.Tests;

/// <summary><c>image extract</c> unpacks what a daemon sends, which came from an image anyone made: nothing may land outside DIR.</summary>
public sealed class TarExtractionTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("fleetpods-extract-").FullName;

    private string Target => Path.Combine(scratch, "rootfs");

    private string Outside => Path.Combine(scratch, "outside");

    [Fact]
    public async Task Files_directories_and_links_land_inside_with_their_permission_bits_only()
    {
        var tar = Tar(
            new PaxTarEntry(TarEntryType.Directory, "etc/") { Mode = (UnixFileMode)0x1ED },
            File("etc/hostname", "pod\n", (UnixFileMode)0x9ED), // 04755: setuid is dropped
            new PaxTarEntry(TarEntryType.SymbolicLink, "etc/name") { LinkName = "hostname" },
            new PaxTarEntry(TarEntryType.HardLink, "etc/again") { LinkName = "etc/hostname" },
            new PaxTarEntry(TarEntryType.Directory, "ro/") { Mode = (UnixFileMode)0x16D },
            File("ro/file", "x", (UnixFileMode)0x1A4));

        await TarExtraction.Extract(tar, Target, CancellationToken.None);

        Assert.Equal("pod\n", await System.IO.File.ReadAllTextAsync(Path.Combine(Target, "etc/name")));
        Assert.Equal("pod\n", await System.IO.File.ReadAllTextAsync(Path.Combine(Target, "etc/again")));
        Assert.Equal((UnixFileMode)0x1ED, System.IO.File.GetUnixFileMode(Path.Combine(Target, "etc/hostname")));
        Assert.Equal((UnixFileMode)0x16D, System.IO.File.GetUnixFileMode(Path.Combine(Target, "ro")));
    }

    [Theory]
    [InlineData("/etc/passwd", "an absolute path")]
    [InlineData("../outside", "a path with '..'")]
    [InlineData("a/../../outside", "a path with '..'")]
    public async Task An_entry_named_outside_is_refused_and_nothing_is_left(string name, string why)
    {
        var tar = Tar(File("fine", "x"), File(name, "owned"));

        var error = await Assert.ThrowsAsync<CliException>(() => TarExtraction.Extract(tar, Target, CancellationToken.None));

        Assert.Equal($"image extract: refused the entry '{name}': {why}", error.Message);
        Assert.False(Path.Exists(Target));
        Assert.False(Path.Exists(Outside));
    }

    [Fact]
    public async Task An_entry_through_a_symlink_the_stream_made_is_refused()
    {
        Directory.CreateDirectory(Outside);
        var tar = Tar(new PaxTarEntry(TarEntryType.SymbolicLink, "etc") { LinkName = Outside }, File("etc/passwd", "root::0:0::/:/bin/sh"));

        var error = await Assert.ThrowsAsync<CliException>(() => TarExtraction.Extract(tar, Target, CancellationToken.None));

        Assert.Equal("image extract: refused the entry 'etc/passwd': a path through the symlink etc", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
        Assert.False(Path.Exists(Target));
    }

    [Fact]
    public async Task A_hard_link_to_a_file_outside_is_refused()
    {
        Directory.CreateDirectory(Outside);
        await System.IO.File.WriteAllTextAsync(Path.Combine(Outside, "secret"), "s");
        var tar = Tar(new PaxTarEntry(TarEntryType.SymbolicLink, "out") { LinkName = Outside }, new PaxTarEntry(TarEntryType.HardLink, "copy") { LinkName = "out/secret" });

        var error = await Assert.ThrowsAsync<CliException>(() => TarExtraction.Extract(tar, Target, CancellationToken.None));

        Assert.Equal("image extract: refused the entry 'out/secret': a path through the symlink out", error.Message);
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice)]
    [InlineData(TarEntryType.BlockDevice)]
    [InlineData(TarEntryType.Fifo)]
    public async Task A_device_node_or_fifo_is_refused(TarEntryType type)
    {
        var entry = new PaxTarEntry(type, "dev/sda");
        if (type != TarEntryType.Fifo)
        {
            entry.DeviceMajor = 8;
        }

        var tar = Tar(entry);

        var error = await Assert.ThrowsAsync<CliException>(() => TarExtraction.Extract(tar, Target, CancellationToken.None));

        Assert.StartsWith("image extract: refused the entry 'dev/sda': a ", error.Message, StringComparison.Ordinal);
        Assert.False(Path.Exists(Target));
    }

    [Fact]
    public async Task An_existing_directory_is_refused_untouched()
    {
        Directory.CreateDirectory(Target);
        await System.IO.File.WriteAllTextAsync(Path.Combine(Target, "mine"), "kept");

        var error = await Assert.ThrowsAsync<CliException>(() => TarExtraction.Extract(Tar(File("mine", "replaced")), Target, CancellationToken.None));

        Assert.Equal($"{Target} already exists", error.Message);
        Assert.Equal("kept", await System.IO.File.ReadAllTextAsync(Path.Combine(Target, "mine")));
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    private static PaxTarEntry File(string name, string text, UnixFileMode mode = (UnixFileMode)0x1A4) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), Mode = mode };

    private static MemoryStream Tar(params TarEntry[] entries)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        stream.Position = 0;
        return stream;
    }
}
