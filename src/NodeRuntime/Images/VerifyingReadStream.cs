using System.Security.Cryptography;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Reads a blob while hashing it, optionally copying it to <paramref name="copy"/> (the store's temporary blob),
/// and refuses it once it grows past its declared size or the limit. Verify after the consumer is done: only
/// a blob read to its end with the expected digest is accepted.
/// </summary>
internal sealed class VerifyingReadStream(Stream inner, ContentDigest expected, long? expectedSize, long maxBytes, string what, Stream? copy) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(expected.HashAlgorithm);

    public long BytesRead { get; private set; }

    /// <summary>What the blob is, for errors: the archive and layer it belongs to.</summary>
    public string What => what;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Account(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Account(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Reads what the consumer left (a tar's padding, say) and checks size and digest.</summary>
    /// <exception cref="ImageImportException">The blob is not the one named.</exception>
    public void ReadToEndAndVerify()
    {
        ReadToEnd();
        Verify();
    }

    /// <summary>Reads what the consumer left, so that a stream this one wraps reaches its end too.</summary>
    public void ReadToEnd()
    {
        var rest = new byte[1 << 16];
        while (Read(rest) > 0)
        {
        }
    }

    /// <summary>Checks digest and size of what was read.</summary>
    /// <exception cref="ImageImportException">The blob is not the one named.</exception>
    public void Verify()
    {
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (actual != expected.Hex)
        {
            throw new ImageImportException($"{what}: digest mismatch: expected {expected}, the content is {expected.Algorithm}-{actual}");
        }

        if (expectedSize is { } size && size != BytesRead)
        {
            throw new ImageImportException($"{what}: {BytesRead} bytes where {size} were declared");
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> data)
    {
        BytesRead += data.Length;
        if (BytesRead > maxBytes)
        {
            throw new ImageImportException($"{what}: larger than the limit of {maxBytes} bytes");
        }

        if (expectedSize is { } size && BytesRead > size)
        {
            throw new ImageImportException($"{what}: longer than its declared {size} bytes");
        }

        hash.AppendData(data);
        copy?.Write(data);
    }
}
