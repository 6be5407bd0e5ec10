using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace RedisDocker.Core.Resp;

/// <summary>Encodes commands as RESP arrays of bulk strings.</summary>
public static class RespWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>
    /// Encodes one command (<c>*N\r\n$len\r\narg\r\n...</c>). Arguments: <see cref="string"/> (UTF-8),
    /// <see cref="byte"/>[],
    /// <see cref="ReadOnlyMemory{T}"/>/<see cref="Memory{T}"/>/<see cref="ArraySegment{T}"/> of bytes,
    /// <see cref="int"/>,
    /// <see cref="long"/>, <see cref="double"/>/<see cref="float"/> (invariant round-trip "R"; infinities as +inf/-inf,
    /// NaN as nan);
    /// anything else via
    /// <see cref="IFormattable"/> with the invariant culture, or <see cref="object.ToString"/>. Null arguments are
    /// rejected.
    /// </summary>
    public static byte[] EncodeCommand(IReadOnlyList<object> commandAndArgs)
    {
        var writer = new ArrayBufferWriter<byte>(64);
        WriteCommand(writer, commandAndArgs);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes several commands back to back, as sent by a pipeline.</summary>
    public static byte[] EncodeCommands(IReadOnlyList<IReadOnlyList<object>> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var writer = new ArrayBufferWriter<byte>(256);
        foreach (var command in commands)
        {
            WriteCommand(writer, command);
        }
        return writer.WrittenSpan.ToArray();
    }

    internal static void WriteCommand(IBufferWriter<byte> writer, IReadOnlyList<object> commandAndArgs)
    {
        ArgumentNullException.ThrowIfNull(commandAndArgs);
        if (commandAndArgs.Count == 0)
        {
            throw new ArgumentException("A command needs at least its name.", nameof(commandAndArgs));
        }
        WritePrefixed(writer, (byte)'*', commandAndArgs.Count);
        for (int i = 0; i < commandAndArgs.Count; i++)
        {
            WriteArgument(writer, commandAndArgs[i], i);
        }
    }

    private static void WriteArgument(IBufferWriter<byte> writer, object? arg, int index)
    {
        switch (arg)
        {
            case null:
                throw new ArgumentException($"Command argument {index} is null.", "commandAndArgs");
            case string s:
                WriteText(writer, s);
                return;
            case CancellationToken:
                throw new ArgumentException(
                    $"Command argument {index} is a CancellationToken; pass tokens with the "
                        + $"ExecuteAsync(IReadOnlyList<object>, CancellationToken) overload.",
                    "commandAndArgs");
            case byte[] bytes:
                WriteBulk(writer, bytes);
                return;
            case ReadOnlyMemory<byte> rom:
                WriteBulk(writer, rom.Span);
                return;
            case Memory<byte> mem:
                WriteBulk(writer, mem.Span);
                return;
            case ArraySegment<byte> segment:
                WriteBulk(writer, segment.AsSpan());
                return;
            case int i32:
                WriteInteger(writer, i32);
                return;
            case long i64:
                WriteInteger(writer, i64);
                return;
            case double d:
                WriteText(writer, FormatDouble(d));
                return;
            case float f:
                WriteText(writer, float.IsFinite(f) ? f.ToString("R", CultureInfo.InvariantCulture) : FormatDouble(f));
                return;
            case IFormattable formattable:
                WriteText(writer, formattable.ToString(null, CultureInfo.InvariantCulture));
                return;
            default:
                WriteText(writer, arg.ToString() ?? string.Empty);
                return;
        }
    }

    private static void WriteText(IBufferWriter<byte> writer, string text)
    {
        int length = Utf8.GetByteCount(text);
        WritePrefixed(writer, (byte)'$', length);
        var span = writer.GetSpan(length + 2);
        Utf8.GetBytes(text, span);
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        writer.Advance(length + 2);
    }

    private static string FormatDouble(double value) =>
        double.IsPositiveInfinity(value) ? "+inf" : RespValue.FormatDouble(value);

    private static void WriteInteger(IBufferWriter<byte> writer, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out int length);
        WriteBulk(writer, digits[..length]);
    }

    private static void WriteBulk(IBufferWriter<byte> writer, ReadOnlySpan<byte> payload)
    {
        WritePrefixed(writer, (byte)'$', payload.Length);
        var span = writer.GetSpan(payload.Length + 2);
        payload.CopyTo(span);
        span[payload.Length] = (byte)'\r';
        span[payload.Length + 1] = (byte)'\n';
        writer.Advance(payload.Length + 2);
    }

    private static void WritePrefixed(IBufferWriter<byte> writer, byte type, int value)
    {
        var span = writer.GetSpan(16);
        span[0] = type;
        Utf8Formatter.TryFormat(value, span[1..], out int length);
        span[length + 1] = (byte)'\r';
        span[length + 2] = (byte)'\n';
        writer.Advance(length + 3);
    }
}
