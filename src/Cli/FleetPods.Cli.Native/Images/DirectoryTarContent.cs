using System.Formats.Tar;
using System.Net;

namespace FleetPods.Cli.Native.Images;

/// <summary>
/// An OCI image layout directory sent as the tar the API takes, written while it is sent: nothing is staged on disk,
/// and the files are read with the caller's own rights.
/// </summary>
internal sealed class DirectoryTarContent(string directory) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        TarFile.CreateFromDirectoryAsync(directory, stream, includeBaseDirectory: false, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
