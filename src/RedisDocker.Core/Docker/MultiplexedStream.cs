using System.Buffers.Binary;
using System.Text;

namespace RedisDocker.Core.Docker;

/// <summary>
/// Splits Docker's multiplexed (non-TTY) stream: frames of an 8-byte header [stream, 0, 0, 0, size as big-endian uint32]
/// followed by size bytes. Frames may arrive split at any byte; feed chunks in order.
/// </summary>
internal sealed class MultiplexedStreamDecoder
{
    public delegate void FrameHandler(int stream, ReadOnlySpan<byte> payload);

    private readonly byte[] _header = new byte[8];
    private int _headerFill;
    private int _stream;
    private long _remaining;

    /// <summary>True when no frame is partly read.</summary>
    public bool AtFrameBoundary => _headerFill == 0 && _remaining == 0;

    public void Feed(ReadOnlySpan<byte> data, FrameHandler onPayload)
    {
        while (!data.IsEmpty)
        {
            if (_remaining == 0)
            {
                var take = Math.Min(8 - _headerFill, data.Length);
                data[..take].CopyTo(_header.AsSpan(_headerFill));
                _headerFill += take;
                data = data[take..];
                if (_headerFill < 8)
                {
                    return;
                }

                _headerFill = 0;
                _stream = _header[0];
                _remaining = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
                continue;
            }

            var n = (int)Math.Min(_remaining, data.Length);
            onPayload(_stream, data[..n]);
            _remaining -= n;
            data = data[n..];
        }
    }
}

/// <summary>Collects demultiplexed output: stdout, stderr and both in arrival order.</summary>
internal sealed class DemultiplexedOutput
{
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();
    private readonly MemoryStream _combined = new();

    public void Append(int stream, ReadOnlySpan<byte> payload)
    {
        // 0 = stdin (echoed), 1 = stdout, 2 = stderr, 3 = engine system error.
        (stream >= 2 ? _stderr : _stdout).Write(payload);
        _combined.Write(payload);
    }

    public string Stdout => Decode(_stdout);
    public string Stderr => Decode(_stderr);
    public string Combined => Decode(_combined);

    private static string Decode(MemoryStream s) => Encoding.UTF8.GetString(s.GetBuffer(), 0, (int)s.Length);

    /// <summary>
    /// Reads <paramref name="source"/> to its end. Multiplexed framing is used when <paramref name="multiplexed"/> is true,
    /// raw (everything is stdout) when false, and detected from the first bytes when null.
    /// </summary>
    public static async Task<DemultiplexedOutput> ReadAsync(Stream source, bool? multiplexed, CancellationToken ct)
    {
        var output = new DemultiplexedOutput();
        var decoder = new MultiplexedStreamDecoder();
        var buffer = new byte[16 * 1024];
        var filled = 0;

        if (multiplexed is null)
        {
            // Sniff a header: a stream byte 0..3 followed by three zero bytes. Text output never starts like that.
            while (filled < 8)
            {
                var r = await source.ReadAsync(buffer.AsMemory(filled, 8 - filled), ct).ConfigureAwait(false);
                if (r == 0)
                {
                    break;
                }

                filled += r;
            }

            multiplexed = filled >= 4 && buffer[0] <= 3 && buffer[1] == 0 && buffer[2] == 0 && buffer[3] == 0;
        }

        void Process(ReadOnlySpan<byte> chunk)
        {
            if (multiplexed.Value)
            {
                decoder.Feed(chunk, output.Append);
            }
            else
            {
                output.Append(1, chunk);
            }
        }

        if (filled > 0)
        {
            Process(buffer.AsSpan(0, filled));
        }

        int read;
        while ((read = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            Process(buffer.AsSpan(0, read));
        }

        return output;
    }
}
