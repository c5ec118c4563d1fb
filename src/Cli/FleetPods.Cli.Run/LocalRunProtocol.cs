using System.Buffers.Binary;
using System.Text;

namespace FleetPods.Cli;

/// <summary>
/// How the native <c>fleetpods</c> command asks the fleetpodsd on its own machine to run a pod, skipping the Orleans
/// client whose start alone costs a .NET process hundreds of milliseconds. Over a Unix socket in a directory only
/// root may enter, the command sends the words after <c>run</c>; the daemon answers with frames of the pod's output
/// and ends with its exit code. One byte back from the command (<see cref="Interrupt"/>) or its going away stops
/// the pod. Written by hand: a few length-prefixed frames, and this file is also compiled into the native command,
/// which must stay free of Orleans and serializers to start in milliseconds.
/// </summary>
public static class LocalRunProtocol
{
    /// <summary>Where every fleetpodsd of this machine listens, one socket per gateway port.</summary>
    public const string SocketDirectory = "/run/fleetpods";

    /// <summary>The gateway a command talks to when neither <c>--endpoint</c> nor <c>$FLEETPODS_ENDPOINT</c> names one.</summary>
    public const string DefaultEndpoint = "localhost:30000";

    public const byte Interrupt = 0x03;

    private const int MaxArguments = 4096;
    private const int MaxRequestBytes = 1 << 20;
    private const int MaxFrameBytes = 1 << 20;
    private const uint Magic = 0x46505231; // "FPR1"

    /// <summary>What the daemon sends.</summary>
    public enum FrameKind : byte
    {
        /// <summary>Bytes of the pod's output, for the command's stdout.</summary>
        Output = 1,

        /// <summary>A message for the command's stderr (UTF-8, one line).</summary>
        Error = 2,

        /// <summary>The command's exit code (4 bytes, little-endian); the last frame.</summary>
        Exit = 3,
    }

    public static string SocketPath(int gatewayPort) => $"{SocketDirectory}/gateway-{gatewayPort}.sock";

    public static async Task WriteRequest(Stream stream, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(arguments);
        var encoded = arguments.Select(Encoding.UTF8.GetBytes).ToList();
        var body = new byte[8 + encoded.Sum(a => 4 + a.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(body, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), encoded.Count);
        var at = 8;
        foreach (var argument in encoded)
        {
            BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(at), argument.Length);
            argument.CopyTo(body, at + 4);
            at += 4 + argument.Length;
        }

        await stream.WriteAsync(body, cancellationToken);
    }

    /// <exception cref="InvalidDataException">The request is not this protocol's, or is larger than it allows.</exception>
    public static async Task<string[]> ReadRequest(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = await ReadExactly(stream, 8, cancellationToken) ?? throw new InvalidDataException("the request ended before its header");
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
        {
            throw new InvalidDataException("the request is not a fleetpods run request");
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
        if (count is < 0 or > MaxArguments)
        {
            throw new InvalidDataException($"the request has {count} arguments; at most {MaxArguments} are allowed");
        }

        var arguments = new string[count];
        var total = 0;
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(await ReadExactly(stream, 4, cancellationToken) ?? throw Truncated(i));
            total += length;
            if (length < 0 || total > MaxRequestBytes)
            {
                throw new InvalidDataException($"the request's arguments exceed {MaxRequestBytes} bytes");
            }

            arguments[i] = Encoding.UTF8.GetString(await ReadExactly(stream, length, cancellationToken) ?? throw Truncated(i));
        }

        return arguments;
    }

    /// <exception cref="ArgumentOutOfRangeException">The payload is over the 1 MiB a frame may carry.</exception>
    public static async Task WriteFrame(Stream stream, FrameKind kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payload.Length, MaxFrameBytes);
        var header = new byte[5];
        header[0] = (byte)kind;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(1), payload.Length);
        await stream.WriteAsync(header, cancellationToken);
        await stream.WriteAsync(payload, cancellationToken);
    }

    public static Task WriteError(Stream stream, string message, CancellationToken cancellationToken) =>
        WriteFrame(stream, FrameKind.Error, Encoding.UTF8.GetBytes(message), cancellationToken);

    public static Task WriteExit(Stream stream, int exitCode, CancellationToken cancellationToken)
    {
        var code = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(code, exitCode);
        return WriteFrame(stream, FrameKind.Exit, code, cancellationToken);
    }

    /// <summary>The next frame, or null at the end of the stream.</summary>
    /// <exception cref="InvalidDataException">The frame is not this protocol's.</exception>
    public static async Task<(FrameKind Kind, byte[] Payload)?> ReadFrame(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = await ReadExactly(stream, 5, cancellationToken);
        if (header is null)
        {
            return null;
        }

        var kind = (FrameKind)header[0];
        var length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(1));
        if (!Enum.IsDefined(kind) || length is < 0 or > MaxFrameBytes || (kind == FrameKind.Exit && length != 4))
        {
            throw new InvalidDataException($"fleetpodsd sent a frame of kind {header[0]} and {length} bytes, which this command does not know");
        }

        return (kind, await ReadExactly(stream, length, cancellationToken) ?? throw new InvalidDataException("fleetpodsd's answer ended inside a frame"));
    }

    public static int ExitCodeOf(byte[] payload) => BinaryPrimitives.ReadInt32LittleEndian(payload);

    private static InvalidDataException Truncated(int argument) => new($"the request ended inside argument {argument}");

    // Null when the stream ends before the first byte; a stream that ends later is truncated.
    private static async Task<byte[]?> ReadExactly(Stream stream, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return read == 0 ? null : throw new InvalidDataException($"the stream ended after {read} of {count} bytes");
            }

            read += n;
        }

        return buffer;
    }
}
