namespace FleetPods.NodeRuntime;

/// <summary>An image was refused: the message names the archive and, where it applies, the entry.</summary>
public sealed class ImageImportException : Exception
{
    public ImageImportException()
    {
    }

    public ImageImportException(string message)
        : base(message)
    {
    }

    public ImageImportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
