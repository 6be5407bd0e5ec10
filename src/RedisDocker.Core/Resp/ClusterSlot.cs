using System.Buffers;
using System.Text;

namespace RedisDocker.Core.Resp;

/// <summary>
/// Redis Cluster key slots: CRC16-CCITT (XMODEM) of the key, or of its hash tag, modulo 16384.
/// The hash tag is the text between the first '{' and the first '}' after it, when that text is not empty.
/// </summary>
public static class ClusterSlot
{
    /// <summary>The number of slots in a Redis Cluster.</summary>
    public const int Count = 16384;

    private static readonly ushort[] Table = BuildTable();

    /// <summary>The slot of a key given as text (hashed as UTF-8, as Redis sees it on the wire).</summary>
    public static int GetSlot(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int max = Encoding.UTF8.GetMaxByteCount(key.Length);
        if (max <= 512)
        {
            Span<byte> buffer = stackalloc byte[max];
            int length = Encoding.UTF8.GetBytes(key, buffer);
            return GetSlot(buffer[..length]);
        }
        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(key));
        try
        {
            int length = Encoding.UTF8.GetBytes(key, rented);
            return GetSlot(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The slot of a key given as raw bytes.</summary>
    public static int GetSlot(ReadOnlySpan<byte> key)
    {
        int open = key.IndexOf((byte)'{');
        if (open >= 0)
        {
            int close = key[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
            {
                key = key.Slice(open + 1, close);
            }
        }
        return Crc16(key) & (Count - 1);
    }

    /// <summary>CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0, no reflection), as used by Redis
    /// Cluster.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        var table = Table;
        ushort crc = 0;
        foreach (byte b in data)
        {
            crc = (ushort)((crc << 8) ^ table[((crc >> 8) ^ b) & 0xFF]);
        }
        return crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            ushort crc = (ushort)(i << 8);
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
            table[i] = crc;
        }
        return table;
    }
}
