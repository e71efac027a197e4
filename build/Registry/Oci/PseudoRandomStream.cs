namespace Registry.Build.Registry.Oci;

/// <summary>
/// A read-only stream of <see cref="Length"/> bytes from a seeded generator: the same bytes every time it is
/// opened, none of them stored. Random content does not compress, so a large layer measures the network.
/// </summary>
public sealed class PseudoRandomStream(long length, ulong seed) : Stream
{
    private ulong state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
    private long position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - position);
        // Whole 8-byte words keep the sequence the same however the reads are split.
        for (var index = 0; index < count; index++)
        {
            if ((position + index) % 8 == 0)
            {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
            }

            buffer[index] = (byte)(state >> (int)(((position + index) % 8) * 8));
        }

        position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
