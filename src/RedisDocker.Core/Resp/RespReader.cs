using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace RedisDocker.Core.Resp;

/// <summary>Parses RESP2/RESP3 replies from captured bytes.</summary>
public static class RespReader
{
    /// <summary>
    /// Parses one complete reply at the start of <paramref name="data"/>.
    /// Returns false (with <paramref name="value"/> = <see cref="RespValue.Nil"/> and <paramref name="consumed"/> = 0)
    /// when the data holds only part of a reply. Throws <see cref="RespProtocolException"/> on malformed data.
    /// RESP3 attributes (<c>|</c>) are skipped; push messages (<c>&gt;</c>) are returned like any other value.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out RespValue value, out int consumed)
    {
        var parser = new RespParser();
        if (parser.TryRead(data, out consumed, out var parsed))
        {
            value = parsed;
            return true;
        }
        value = RespValue.Nil;
        consumed = 0;
        return false;
    }

    /// <summary>
    /// Parses one complete reply at the start of <paramref name="data"/>; when the data is incomplete,
    /// returns <see cref="RespValue.Nil"/> with <paramref name="consumed"/> = 0 (a complete reply always consumes
    /// bytes).
    /// Throws <see cref="RespProtocolException"/> on malformed data.
    /// </summary>
    public static RespValue Parse(ReadOnlySpan<byte> data, out int consumed)
    {
        TryParse(data, out var value, out consumed);
        return value;
    }

    /// <summary>Parses every complete reply in <paramref name="data"/>; throws if trailing bytes form an incomplete
    /// reply.</summary>
    public static IReadOnlyList<RespValue> ParseAll(ReadOnlySpan<byte> data)
    {
        var values = new List<RespValue>();
        var parser = new RespParser();
        while (!data.IsEmpty)
        {
            if (!parser.TryRead(data, out int consumed, out var value))
            {
                throw new RespProtocolException("The data ends inside a reply.");
            }
            values.Add(value);
            data = data[consumed..];
        }
        return values;
    }
}

/// <summary>
/// Incremental, non-recursive RESP parser. It keeps the partially parsed aggregate stack and a partially filled
/// bulk string between calls, so data can be fed in arbitrary chunks without re-parsing; bytes it reports as
/// consumed must not be fed again. After it throws, its state is undefined.
/// </summary>
internal sealed class RespParser
{
    private struct Frame
    {
        public byte Type;
        public int Count;
        public int Filled;
        public RespValue[] Items;
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private const int MaxInitialItems = 1024;

    private Frame[] _frames = new Frame[4];
    private int _depth;
    private byte[]? _bulk;
    private int _bulkFilled;
    private byte _bulkType;

    /// <summary>True while a reply has been started but not completed.</summary>
    public bool InProgress => _depth > 0 || _bulk is not null;

    /// <summary>The unfilled part of a bulk string being received (empty when none), for reading straight into
    /// it.</summary>
    public Memory<byte> PendingBulk => _bulk is null ? Memory<byte>.Empty : _bulk.AsMemory(_bulkFilled);

    /// <summary>Marks <paramref name="count"/> bytes of <see cref="PendingBulk"/> as filled.</summary>
    public void AdvanceBulk(int count)
    {
        if (_bulk is null || count < 0 || count > _bulk.Length - _bulkFilled)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        _bulkFilled += count;
    }

    /// <summary>Feeds bytes; returns true with a complete top-level value, or false when more data is needed.</summary>
    public bool TryRead(ReadOnlySpan<byte> data, out int consumed, [NotNullWhen(true)] out RespValue? value)
    {
        int pos = 0;
        while (true)
        {
            RespValue item;
            if (_bulk is not null)
            {
                int take = Math.Min(_bulk.Length - _bulkFilled, data.Length - pos);
                data.Slice(pos, take).CopyTo(_bulk.AsSpan(_bulkFilled));
                pos += take;
                _bulkFilled += take;
                if (_bulkFilled < _bulk.Length || data.Length - pos < 2)
                {
                    consumed = pos;
                    value = null;
                    return false;
                }
                if (data[pos] != (byte)'\r' || data[pos + 1] != (byte)'\n')
                {
                    throw new RespProtocolException("A bulk string is not followed by CRLF.");
                }
                pos += 2;
                item = MakeBulk(_bulkType, _bulk);
                _bulk = null;
            }
            else
            {
                if (pos >= data.Length)
                {
                    consumed = pos;
                    value = null;
                    return false;
                }
                int cr = FindLineEnd(data, pos + 1);
                if (cr < 0)
                {
                    consumed = pos;
                    value = null;
                    return false;
                }
                byte type = data[pos];
                var line = data.Slice(pos + 1, cr - pos - 1);
                int next = cr + 2;
                switch (type)
                {
                    case (byte)'+':
                        item = RespValue.FromSimple(Utf8.GetString(line));
                        break;
                    case (byte)'-':
                        item = RespValue.FromError(Utf8.GetString(line));
                        break;
                    case (byte)':':
                        item = RespValue.FromInteger(ParseLength(line, "integer"));
                        break;
                    case (byte)'_':
                        if (!line.IsEmpty)
                        {
                            throw new RespProtocolException("A RESP3 null carries data.");
                        }
                        item = RespValue.Nil;
                        break;
                    case (byte)'#':
                        if (line.Length != 1 || (line[0] != (byte)'t' && line[0] != (byte)'f'))
                        {
                            throw new RespProtocolException("Invalid RESP3 boolean.");
                        }
                        item = RespValue.FromBoolean(line[0] == (byte)'t');
                        break;
                    case (byte)',':
                    {
                        string text = Encoding.ASCII.GetString(line);
                        if (!RespValue.TryParseDouble(text, out double d))
                        {
                            throw new RespProtocolException("Invalid RESP3 double.");
                        }
                        item = RespValue.CreateDouble(text, d);
                        break;
                    }
                    case (byte)'(':
                        item = RespValue.CreateBigNumber(ParseBigNumber(line));
                        break;
                    case (byte)'$':
                    case (byte)'!':
                    case (byte)'=':
                    {
                        long length = ParseLength(line, "bulk length");
                        if (length == -1 && type == (byte)'$')
                        {
                            item = RespValue.Nil;
                            break;
                        }
                        if (length < 0 || length > Array.MaxLength)
                        {
                            throw new RespProtocolException($"Invalid bulk length {length}.");
                        }
                        int len = (int)length;
                        if (data.Length - next >= len + 2)
                        {
                            if (data[next + len] != (byte)'\r' || data[next + len + 1] != (byte)'\n')
                            {
                                throw new RespProtocolException("A bulk string is not followed by CRLF.");
                            }
                            item = MakeBulk(type, data.Slice(next, len).ToArray());
                            next += len + 2;
                            break;
                        }
                        // Not all here: keep it pending and let the loop copy what is available.
                        _bulk = len == 0 ? Array.Empty<byte>() : new byte[len];
                        _bulkFilled = 0;
                        _bulkType = type;
                        pos = next;
                        continue;
                    }
                    case (byte)'*':
                    case (byte)'~':
                    case (byte)'>':
                    case (byte)'%':
                    case (byte)'|':
                    {
                        long count = ParseLength(line, "aggregate length");
                        if (count == -1 && type == (byte)'*')
                        {
                            item = RespValue.Nil;
                            break;
                        }
                        if (type is (byte)'%' or (byte)'|')
                        {
                            count = count > Array.MaxLength / 2 ? -2 : count * 2;
                        }
                        if (count < 0 || count > Array.MaxLength)
                        {
                            throw new RespProtocolException($"Invalid aggregate length {count}.");
                        }
                        if (count == 0)
                        {
                            if (type == (byte)'|')
                            {
                                pos = next; // empty attribute: nothing to attach
                                continue;
                            }
                            item = RespValue.CreateAggregate(KindOf(type), Array.Empty<RespValue>());
                            break;
                        }
                        if (_depth == _frames.Length)
                        {
                            Array.Resize(ref _frames, _frames.Length * 2);
                        }
                        _frames[_depth++] = new Frame
                        {
                            Type = type,
                            Count = (int)count,
                            Filled = 0,
                            Items = new RespValue[Math.Min((int)count, MaxInitialItems)],
                        };
                        pos = next;
                        continue;
                    }
                    default:
                        throw new RespProtocolException(
                            $"Unexpected RESP type byte 0x{type:X2} "
                                + $"('{(type >= 32 && type < 127 ? (char)type : '?')}').");
                }
                pos = next;
            }

            // Attach the completed item to its parent(s), closing every aggregate it completes.
            while (true)
            {
                if (_depth == 0)
                {
                    consumed = pos;
                    value = item;
                    return true;
                }
                ref Frame frame = ref _frames[_depth - 1];
                if (frame.Filled == frame.Items.Length)
                {
                    Array.Resize(ref frame.Items, (int)Math.Min((long)frame.Items.Length * 2, frame.Count));
                }
                frame.Items[frame.Filled++] = item;
                if (frame.Filled < frame.Count)
                {
                    break;
                }
                byte completedType = frame.Type;
                var items = frame.Items;
                frame.Items = null!;
                _depth--;
                if (completedType == (byte)'|')
                {
                    break; // attribute done: discard it; the value it annotates follows
                }
                item = RespValue.CreateAggregate(KindOf(completedType), items);
            }
        }
    }

    private static RespValue MakeBulk(byte type, byte[] bytes)
    {
        switch (type)
        {
            case (byte)'$':
                return RespValue.FromBulk(bytes);
            case (byte)'!':
                return RespValue.FromError(Utf8.GetString(bytes));
            default:
                // Verbatim: "fmt:" prefix (3-char format and a colon) then the text.
                if (bytes.Length < 4 || bytes[3] != (byte)':')
                {
                    throw new RespProtocolException("Invalid RESP3 verbatim string.");
                }
                return RespValue.FromVerbatim(Utf8.GetString(bytes, 4, bytes.Length - 4));
        }
    }

    private static RespKind KindOf(byte type) => type switch
    {
        (byte)'*' => RespKind.Array,
        (byte)'~' => RespKind.Set,
        (byte)'>' => RespKind.Push,
        _ => RespKind.Map,
    };

    /// <summary>Index of the '\r' of the first CRLF at or after <paramref name="start"/>, or -1 if not there
    /// yet.</summary>
    private static int FindLineEnd(ReadOnlySpan<byte> data, int start)
    {
        if (start > data.Length)
        {
            return -1;
        }
        int index = data[start..].IndexOfAny((byte)'\r', (byte)'\n');
        if (index < 0)
        {
            return -1;
        }
        index += start;
        if (data[index] == (byte)'\n')
        {
            throw new RespProtocolException("Bare LF inside a RESP line.");
        }
        if (index + 1 >= data.Length)
        {
            return -1;
        }
        if (data[index + 1] != (byte)'\n')
        {
            throw new RespProtocolException("CR not followed by LF inside a RESP line.");
        }
        return index;
    }

    private static long ParseLength(ReadOnlySpan<byte> line, string what)
    {
        if (line.IsEmpty || line[0] == (byte)'+' || !Utf8Parser.TryParse(line, out long value, out int used)
            || used != line.Length)
        {
            throw new RespProtocolException($"Invalid {what} '{Printable(line)}'.");
        }
        return value;
    }

    private static string ParseBigNumber(ReadOnlySpan<byte> line)
    {
        int start = line.Length > 0 && (line[0] == (byte)'-' || line[0] == (byte)'+') ? 1 : 0;
        if (line.Length == start)
        {
            throw new RespProtocolException("Invalid RESP3 big number.");
        }
        for (int i = start; i < line.Length; i++)
        {
            if (line[i] < (byte)'0' || line[i] > (byte)'9')
            {
                throw new RespProtocolException($"Invalid RESP3 big number '{Printable(line)}'.");
            }
        }
        return Encoding.ASCII.GetString(line);
    }

    private static string Printable(ReadOnlySpan<byte> line)
    {
        var sb = new StringBuilder();
        foreach (byte b in line[..Math.Min(line.Length, 40)])
        {
            sb.Append(b >= 32 && b < 127 ? (char)b : '?');
        }
        if (line.Length > 40)
        {
            sb.Append("...");
        }
        return sb.ToString();
    }
}
