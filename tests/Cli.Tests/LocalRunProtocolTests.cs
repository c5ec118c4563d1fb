extern alias run;

using System.Buffers.Binary;
using LocalRunProtocol = run::FleetPods.Cli.LocalRunProtocol;

namespace FleetPods.Cli.Tests;

public sealed class LocalRunProtocolTests
{
    [Fact]
    public async Task A_request_reads_back_as_the_words_it_was_made_of()
    {
        string[] words = ["--set-env", "GREETING=héllo wörld", "", "img", "--", "/bin/sh", "-c", "echo 'a b'"];
        using var stream = new MemoryStream();

        await LocalRunProtocol.WriteRequest(stream, words, CancellationToken.None);
        stream.Position = 0;

        Assert.Equal(words, await LocalRunProtocol.ReadRequest(stream, CancellationToken.None));
    }

    [Fact]
    public async Task Frames_read_back_in_order_and_then_the_end()
    {
        using var stream = new MemoryStream();
        await LocalRunProtocol.WriteFrame(stream, LocalRunProtocol.FrameKind.Output, "out\n"u8.ToArray(), CancellationToken.None);
        await LocalRunProtocol.WriteError(stream, "pod x failed: out of memory", CancellationToken.None);
        await LocalRunProtocol.WriteExit(stream, 137, CancellationToken.None);
        stream.Position = 0;

        var output = await LocalRunProtocol.ReadFrame(stream, CancellationToken.None);
        var error = await LocalRunProtocol.ReadFrame(stream, CancellationToken.None);
        var exit = await LocalRunProtocol.ReadFrame(stream, CancellationToken.None);

        Assert.Equal((LocalRunProtocol.FrameKind.Output, "out\n"), (output!.Value.Kind, System.Text.Encoding.UTF8.GetString(output.Value.Payload)));
        Assert.Equal("pod x failed: out of memory", System.Text.Encoding.UTF8.GetString(error!.Value.Payload));
        Assert.Equal((LocalRunProtocol.FrameKind.Exit, 137), (exit!.Value.Kind, LocalRunProtocol.ExitCodeOf(exit.Value.Payload)));
        Assert.Null(await LocalRunProtocol.ReadFrame(stream, CancellationToken.None));
    }

    [Theory]
    [InlineData("not the magic", "not a fleetpods run request")]
    [InlineData("too many arguments", "at most 4096 are allowed")]
    [InlineData("negative count", "at most 4096 are allowed")]
    [InlineData("huge argument", "exceed 1048576 bytes")]
    [InlineData("truncated argument", "ended after 2 of 5 bytes")]
    public async Task A_request_that_is_not_well_formed_or_too_large_is_refused_with_why(string shape, string reason)
    {
        var request = shape switch
        {
            "not the magic" => Request(0x12345678, 1, [3], "abc"u8.ToArray()),
            "too many arguments" => Request(Magic, 5000, []),
            "negative count" => Request(Magic, -1, []),
            "huge argument" => Request(Magic, 1, [int.MaxValue]),
            _ => Request(Magic, 1, [5], "ab"u8.ToArray()),
        };

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => LocalRunProtocol.ReadRequest(new MemoryStream(request), CancellationToken.None));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_of_an_unknown_kind_or_size_is_refused()
    {
        var unknown = new byte[] { 9, 0, 0, 0, 0 };
        var oversized = new byte[] { 1, 0, 0, 0x20, 0 };
        var badExit = new byte[] { 3, 2, 0, 0, 0, 0, 0 };

        foreach (var frame in new[] { unknown, oversized, badExit })
        {
            await Assert.ThrowsAsync<InvalidDataException>(() => LocalRunProtocol.ReadFrame(new MemoryStream(frame), CancellationToken.None));
        }
    }

    private const uint Magic = 0x46505231;

    private static byte[] Request(uint magic, int count, int[] lengths, byte[]? tail = null)
    {
        var bytes = new byte[8 + (4 * lengths.Length) + (tail?.Length ?? 0)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), count);
        for (var i = 0; i < lengths.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8 + (4 * i)), lengths[i]);
        }

        tail?.CopyTo(bytes, 8 + (4 * lengths.Length));
        return bytes;
    }
}
