using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace FleetPods.Tests;

/// <summary>A small ACI made by the test: a gzipped tar of an appc manifest naming the image and a rootfs with one file.</summary>
public static class TestAci
{
    /// <summary>Writes an ACI named <paramref name="name"/> (with a <c>version</c> label) whose <c>/hello</c> holds <paramref name="content"/>.</summary>
    public static void Write(string path, string name, string version = "1.0", string content = "hello\n")
    {
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["acKind"] = "ImageManifest",
            ["acVersion"] = "0.8.11",
            ["name"] = name,
            ["labels"] = new[] { new { name = "version", value = version }, new { name = "os", value = "linux" }, new { name = "arch", value = "amd64" } },
        });
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "manifest") { DataStream = new MemoryStream(manifest), Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "rootfs") { Mode = (UnixFileMode)0b111_101_101 });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "rootfs/hello") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)), Mode = (UnixFileMode)0b110_100_100 });
    }
}
