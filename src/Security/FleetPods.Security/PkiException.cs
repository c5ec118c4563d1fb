using System.Security.Cryptography;

namespace FleetPods.Security;

/// <summary>A certificate, key or revocation list that cannot be read, made or written; the message is one line naming it.</summary>
public sealed class PkiException : Exception
{
    public PkiException(string message)
        : base(message)
    {
    }

    public PkiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PkiException()
    {
    }

    /// <summary>Runs <paramref name="read"/>, turning the ways a PEM file fails into one line naming the files.</summary>
    internal static T Reading<T>(string file, string? otherFile, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            var files = otherFile is null ? file : $"{file} and {otherFile}";
            throw new PkiException($"{files}: {OneLine(ex.Message)}", ex);
        }
    }

    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
