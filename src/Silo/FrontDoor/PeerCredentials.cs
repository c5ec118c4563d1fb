using System.Buffers.Binary;
using System.Net.Sockets;

namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// Who is at the other end of a Unix socket, as the kernel recorded it when they connected (SO_PEERCRED) with
/// their supplementary groups (SO_PEERGROUPS): nothing the caller says, so nothing the caller can forge.
/// </summary>
public sealed record PeerCredentials(int Pid, uint Uid, uint Gid, IReadOnlyList<uint> Groups)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int SoPeerGroups = 59;
    private const int UcredBytes = 12;

    // NGROUPS_MAX is 65536; most callers are in a handful of groups, so the first buffer is small and grows once.
    private const int FirstGroupsBuffer = 64 * sizeof(uint);
    private const int MaxGroupsBuffer = 65536 * sizeof(uint);
    private const int Erange = 34;

    /// <exception cref="SocketException">The kernel would not say (not a Unix socket).</exception>
    public static PeerCredentials Of(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var ucred = new byte[UcredBytes];
        var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        var (pid, uid, gid) = ParseUcred(ucred.AsSpan(0, length));
        return new PeerCredentials(pid, uid, gid, ReadGroups(socket));
    }

    /// <summary>struct ucred { pid_t pid; uid_t uid; gid_t gid; } in the machine's byte order.</summary>
    public static (int Pid, uint Uid, uint Gid) ParseUcred(ReadOnlySpan<byte> ucred)
    {
        if (ucred.Length < UcredBytes)
        {
            throw new SocketException((int)SocketError.InvalidArgument);
        }

        return (BitConverter.ToInt32(ucred), BitConverter.ToUInt32(ucred[4..]), BitConverter.ToUInt32(ucred[8..]));
    }

    /// <summary>An array of gid_t in the machine's byte order.</summary>
    public static IReadOnlyList<uint> ParseGroups(ReadOnlySpan<byte> groups)
    {
        var result = new uint[groups.Length / sizeof(uint)];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = BitConverter.IsLittleEndian
                ? BinaryPrimitives.ReadUInt32LittleEndian(groups[(i * sizeof(uint))..])
                : BinaryPrimitives.ReadUInt32BigEndian(groups[(i * sizeof(uint))..]);
        }

        return result;
    }

    private static IReadOnlyList<uint> ReadGroups(Socket socket)
    {
        for (var size = FirstGroupsBuffer; ; size *= 4)
        {
            var buffer = new byte[Math.Min(size, MaxGroupsBuffer)];
            try
            {
                var length = socket.GetRawSocketOption(SolSocket, SoPeerGroups, buffer);
                return ParseGroups(buffer.AsSpan(0, length));
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.NoBufferSpaceAvailable || ex.NativeErrorCode == Erange)
            {
                if (buffer.Length == MaxGroupsBuffer)
                {
                    throw;
                }
            }
        }
    }
}
