// Over 400 lines on purpose: one value type for every RESP2/RESP3 reply kind, with its conversions in one place.
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace RedisDocker.Core.Resp;

/// <summary>The type of a RESP2/RESP3 reply.</summary>
public enum RespKind
{
    /// <summary><c>+OK</c></summary>
    SimpleString,
    /// <summary><c>-ERR ...</c> or RESP3 blob error <c>!</c></summary>
    Error,
    /// <summary><c>:42</c></summary>
    Integer,
    /// <summary><c>$3\r\nfoo</c></summary>
    BulkString,
    /// <summary><c>*2 ...</c></summary>
    Array,
    /// <summary>RESP2 nil bulk (<c>$-1</c>), nil array (<c>*-1</c>) or RESP3 null (<c>_</c>).</summary>
    Null,
    /// <summary>RESP3 <c>,3.14</c></summary>
    Double,
    /// <summary>RESP3 <c>#t</c> / <c>#f</c></summary>
    Boolean,
    /// <summary>RESP3 <c>%2 ...</c>; <see cref="RespValue.Items"/> holds k1, v1, k2, v2, ...</summary>
    Map,
    /// <summary>RESP3 <c>~3 ...</c></summary>
    Set,
    /// <summary>RESP3 <c>=15\r\ntxt:...</c>; <see cref="RespValue.Text"/> excludes the format prefix.</summary>
    VerbatimString,
    /// <summary>RESP3 <c>(12345678901234567890</c></summary>
    BigNumber,
    /// <summary>RESP3 out-of-band push <c>&gt;3 ...</c></summary>
    Push,
}

/// <summary>An immutable RESP reply value.</summary>
public sealed class RespValue
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly byte[]? _bytes;
    private readonly RespValue[]? _items;
    private readonly double _double;
    private string? _text;

    private RespValue(RespKind kind, string? text = null, byte[]? bytes = null, long integer = 0, double dbl = 0,
        RespValue[]? items = null)
    {
        Kind = kind;
        _text = text;
        _bytes = bytes;
        Integer = integer;
        _double = dbl;
        _items = items;
    }

    /// <summary>The nil / null value (RESP2 <c>$-1</c> and <c>*-1</c>, RESP3 <c>_</c>).</summary>
    public static RespValue Nil { get; } = new(RespKind.Null);

    private static readonly RespValue True = new(RespKind.Boolean, integer: 1);
    private static readonly RespValue False = new(RespKind.Boolean, integer: 0);
    private static readonly RespValue EmptyArray = new(RespKind.Array, items: System.Array.Empty<RespValue>());
    private static readonly RespValue Ok = new(RespKind.SimpleString, "OK");

    /// <summary>The reply type.</summary>
    public RespKind Kind { get; }

    /// <summary>
    /// Text of simple, bulk (UTF-8 decoded), error, verbatim, double and big-number values; <c>null</c> otherwise.
    /// </summary>
    public string? Text => _text ??= Kind == RespKind.BulkString && _bytes is not null ? Utf8.GetString(_bytes) : null;

    /// <summary>The raw bytes of a <see cref="RespKind.BulkString"/>; <c>null</c> for other kinds.</summary>
    public byte[]? Bytes => Kind == RespKind.BulkString ? _bytes : null;

    /// <summary>The value of an <see cref="RespKind.Integer"/>, or 1/0 for a <see cref="RespKind.Boolean"/>; 0
    /// otherwise.</summary>
    public long Integer { get; }

    /// <summary>Elements of Array, Set and Push values; Map entries flattened as k1, v1, k2, v2; <c>null</c>
    /// otherwise.</summary>
    public IReadOnlyList<RespValue>? Items => _items;

    /// <summary>True for nil/null values.</summary>
    public bool IsNull => Kind == RespKind.Null;

    /// <summary>True for error replies.</summary>
    public bool IsError => Kind == RespKind.Error;

    /// <summary>True for Array, Set, Map and Push values.</summary>
    public bool IsAggregate => _items is not null;

    // ---------- factories ----------

    /// <summary>A simple string (<c>+text</c>).</summary>
    public static RespValue FromSimple(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text == "OK" ? Ok : new(RespKind.SimpleString, text);
    }

    /// <summary>An error reply (<c>-ERR text</c>), the text without the leading '-'.</summary>
    public static RespValue FromError(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(RespKind.Error, message);
    }

    /// <summary>An integer (<c>:42</c>).</summary>
    public static RespValue FromInteger(long value) => new(RespKind.Integer, integer: value);

    /// <summary>A bulk string holding <paramref name="bytes"/> (not copied); <c>null</c> gives
    /// <see cref="Nil"/>.</summary>
    public static RespValue FromBulk(byte[]? bytes) => bytes is null ? Nil : new(RespKind.BulkString, bytes: bytes);

    /// <summary>A bulk string holding the UTF-8 encoding of <paramref name="text"/>; <c>null</c> gives
    /// <see cref="Nil"/>.</summary>
    public static RespValue FromBulk(string? text) =>
        text is null ? Nil : new(RespKind.BulkString, text, Encoding.UTF8.GetBytes(text));

    /// <summary>An array of values; <c>null</c> gives <see cref="Nil"/>.</summary>
    public static RespValue FromArray(IEnumerable<RespValue>? items) => Aggregate(RespKind.Array, items);

    /// <summary>An array of values.</summary>
    public static RespValue FromArray(params RespValue[] items) => Aggregate(RespKind.Array, items);

    /// <summary>A RESP3 set.</summary>
    public static RespValue FromSet(IEnumerable<RespValue> items) => Aggregate(RespKind.Set, items);

    /// <summary>A RESP3 push message.</summary>
    public static RespValue FromPush(IEnumerable<RespValue> items) => Aggregate(RespKind.Push, items);

    /// <summary>A RESP3 map from flattened k1, v1, k2, v2, ... (an even count).</summary>
    public static RespValue FromMap(IEnumerable<RespValue> flattenedKeysAndValues)
    {
        var value = Aggregate(RespKind.Map, flattenedKeysAndValues);
        if (value._items!.Length % 2 != 0)
        {
            throw new ArgumentException("A map needs an even number of items (k1, v1, k2, v2, ...).",
                nameof(flattenedKeysAndValues));
        }
        return value;
    }

    /// <summary>A RESP3 double.</summary>
    public static RespValue FromDouble(double value) => new(RespKind.Double, FormatDouble(value), dbl: value);

    /// <summary>A RESP3 boolean.</summary>
    public static RespValue FromBoolean(bool value) => value ? True : False;

    /// <summary>A RESP3 verbatim string (text without the "txt:" format prefix).</summary>
    public static RespValue FromVerbatim(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(RespKind.VerbatimString, text);
    }

    /// <summary>A RESP3 big number from its decimal text.</summary>
    public static RespValue FromBigNumber(string digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        if (!BigInteger.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException("Not a decimal integer.", nameof(digits));
        }
        return new(RespKind.BigNumber, digits);
    }

    internal static RespValue CreateDouble(string text, double value) => new(RespKind.Double, text, dbl: value);

    internal static RespValue CreateBigNumber(string text) => new(RespKind.BigNumber, text);

    internal static RespValue CreateAggregate(RespKind kind, RespValue[] items) =>
        kind == RespKind.Array && items.Length == 0 ? EmptyArray : new(kind, items: items);

    private static RespValue Aggregate(RespKind kind, IEnumerable<RespValue>? items)
    {
        if (items is null)
        {
            return Nil;
        }
        var array = items.ToArray();
        if (System.Array.IndexOf(array, null) >= 0)
        {
            throw new ArgumentException("Items must not contain null; use RespValue.Nil.", nameof(items));
        }
        return CreateAggregate(kind, array);
    }

    // ---------- accessors ----------

    /// <summary>
    /// The value as text: simple/bulk/verbatim strings, doubles, big numbers, and integers (invariant decimal).
    /// Throws <see cref="RedisServerException"/> for an error and <see cref="InvalidOperationException"/>
    /// for nil, booleans and aggregates (use <see cref="AsStringOrNull"/> when nil is expected).
    /// </summary>
    public string AsString() => AsStringOrNull()
        ?? throw new InvalidOperationException("The reply is nil, not a string.");

    /// <summary>Like <see cref="AsString"/> but returns <c>null</c> for a nil value.</summary>
    public string? AsStringOrNull()
    {
        switch (Kind)
        {
            case RespKind.Null:
                return null;
            case RespKind.Error:
                throw new RedisServerException(_text!);
            case RespKind.Integer:
                return Integer.ToString(CultureInfo.InvariantCulture);
            case RespKind.SimpleString:
            case RespKind.BulkString:
            case RespKind.VerbatimString:
            case RespKind.Double:
            case RespKind.BigNumber:
                return Text!;
            default:
                throw new InvalidOperationException($"A {Kind} reply is not textual.");
        }
    }

    /// <summary>
    /// The value as a 64-bit integer: Integer, Boolean (0/1), or text parsed as an invariant integer.
    /// Throws <see cref="RedisServerException"/> for an error, <see cref="InvalidOperationException"/> otherwise.
    /// </summary>
    public long AsInt64()
    {
        switch (Kind)
        {
            case RespKind.Integer:
            case RespKind.Boolean:
                return Integer;
            case RespKind.Error:
                throw new RedisServerException(_text!);
            case RespKind.SimpleString:
            case RespKind.BulkString:
            case RespKind.VerbatimString:
            case RespKind.BigNumber:
            case RespKind.Double:
                if (long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed))
                {
                    return parsed;
                }
                throw new InvalidOperationException($"The {Kind} reply is not a 64-bit integer.");
            default:
                throw new InvalidOperationException($"A {Kind} reply is not an integer.");
        }
    }

    /// <summary>
    /// The value as a double: Double, Integer, or text parsed invariantly (accepts inf, -inf, nan).
    /// Throws <see cref="RedisServerException"/> for an error, <see cref="InvalidOperationException"/> otherwise.
    /// </summary>
    public double AsDouble()
    {
        switch (Kind)
        {
            case RespKind.Double:
                return _double;
            case RespKind.Integer:
                return Integer;
            case RespKind.Error:
                throw new RedisServerException(_text!);
            case RespKind.SimpleString:
            case RespKind.BulkString:
            case RespKind.VerbatimString:
            case RespKind.BigNumber:
                if (TryParseDouble(Text!, out double parsed))
                {
                    return parsed;
                }
                throw new InvalidOperationException($"The {Kind} reply is not a number.");
            default:
                throw new InvalidOperationException($"A {Kind} reply is not a number.");
        }
    }

    /// <summary>
    /// The value as a boolean: Boolean, Integer (non-zero is true), or "OK"/"1"/"0"/"true"/"false" text.
    /// Throws <see cref="RedisServerException"/> for an error, <see cref="InvalidOperationException"/> otherwise.
    /// </summary>
    public bool AsBoolean()
    {
        switch (Kind)
        {
            case RespKind.Boolean:
            case RespKind.Integer:
                return Integer != 0;
            case RespKind.Error:
                throw new RedisServerException(_text!);
            case RespKind.SimpleString:
            case RespKind.BulkString:
            case RespKind.VerbatimString:
                switch (Text)
                {
                    case "OK":
                    case "1":
                    case "true":
                        return true;
                    case "0":
                    case "false":
                        return false;
                }
                break;
        }
        throw new InvalidOperationException($"The {Kind} reply is not a boolean.");
    }

    /// <summary>
    /// The elements of an Array, Set, Push or (flattened) Map.
    /// Throws <see cref="RedisServerException"/> for an error and <see cref="InvalidOperationException"/>
    /// for nil and scalar values.
    /// </summary>
    public IReadOnlyList<RespValue> AsArray()
    {
        if (_items is not null)
        {
            return _items;
        }
        if (Kind == RespKind.Error)
        {
            throw new RedisServerException(_text!);
        }
        throw new InvalidOperationException(Kind == RespKind.Null ? "The reply is nil, not an array."
            : $"A {Kind} reply is not an array.");
    }

    /// <summary>
    /// Key/value pairs of a Map, or of an Array with an even number of items (RESP2 replies of HGETALL, CONFIG GET,
    /// ...),
    /// keys as text. Later duplicate keys win.
    /// </summary>
    public IReadOnlyDictionary<string, RespValue> AsDictionary()
    {
        var items = AsArray();
        if (items.Count % 2 != 0)
        {
            throw new InvalidOperationException("The reply has an odd number of items and cannot be read as key/value "
                + "pairs.");
        }
        var result = new Dictionary<string, RespValue>(items.Count / 2, StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i += 2)
        {
            result[items[i].AsString()] = items[i + 1];
        }
        return result;
    }

    /// <summary>Throws <see cref="RedisServerException"/> when this is an error reply; returns this
    /// otherwise.</summary>
    public RespValue ThrowIfError() => Kind == RespKind.Error ? throw new RedisServerException(_text!) : this;

    /// <summary>
    /// A plain .NET view (for PowerShell): strings for simple/bulk/verbatim strings, <see cref="long"/>,
    /// <see cref="double"/>,
    /// <see cref="bool"/>, <see cref="BigInteger"/>, <c>null</c> for nil, and <c>object?[]</c> for Array/Set/Push and
    /// Map (flattened k1, v1, ..., the same shape as the RESP2 reply). Throws <see cref="RedisServerException"/> when
    /// this value, or any nested value, is an error.
    /// </summary>
    public object? ToObject()
    {
        switch (Kind)
        {
            case RespKind.Null:
                return null;
            case RespKind.Error:
                throw new RedisServerException(_text!);
            case RespKind.Integer:
                return Integer;
            case RespKind.Boolean:
                return Integer != 0;
            case RespKind.Double:
                return _double;
            case RespKind.BigNumber:
                return BigInteger.Parse(_text!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            case RespKind.SimpleString:
            case RespKind.BulkString:
            case RespKind.VerbatimString:
                return Text;
            default:
                RuntimeHelpers.EnsureSufficientExecutionStack();
                var items = _items!;
                var result = new object?[items.Length];
                for (int i = 0; i < items.Length; i++)
                {
                    result[i] = items[i].ToObject();
                }
                return result;
        }
    }

    /// <summary>A short redis-cli like rendering, truncated for long texts and large or deep aggregates.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Render(sb, 0);
        return sb.ToString();
    }

    private void Render(StringBuilder sb, int depth)
    {
        const int MaxText = 200;
        const int MaxItems = 20;
        const int MaxDepth = 6;
        switch (Kind)
        {
            case RespKind.Null:
                sb.Append("(nil)");
                return;
            case RespKind.Error:
                sb.Append("(error) ").Append(Truncate(_text!, MaxText));
                return;
            case RespKind.Integer:
                sb.Append("(integer) ").Append(Integer.ToString(CultureInfo.InvariantCulture));
                return;
            case RespKind.Boolean:
                sb.Append(Integer != 0 ? "(true)" : "(false)");
                return;
            case RespKind.Double:
                sb.Append("(double) ").Append(_text);
                return;
            case RespKind.BigNumber:
                sb.Append("(big number) ").Append(_text);
                return;
            case RespKind.SimpleString:
                sb.Append(Truncate(_text!, MaxText));
                return;
            case RespKind.BulkString:
            case RespKind.VerbatimString:
                sb.Append('"').Append(Truncate(Text!, MaxText)).Append('"');
                return;
        }

        string open = Kind switch { RespKind.Map => "{", RespKind.Set => "~[", RespKind.Push => ">[", _ => "[" };
        string close = Kind == RespKind.Map ? "}" : "]";
        var items = _items!;
        sb.Append(open);
        if (depth >= MaxDepth && items.Length > 0)
        {
            sb.Append("...");
        }
        else
        {
            int shown = Math.Min(items.Length, MaxItems);
            for (int i = 0; i < shown; i++)
            {
                if (i > 0)
                {
                    sb.Append(Kind == RespKind.Map && i % 2 == 1 ? ": " : ", ");
                }
                items[i].Render(sb, depth + 1);
            }
            if (shown < items.Length)
            {
                sb.Append(", ... (").Append(items.Length.ToString(CultureInfo.InvariantCulture)).Append(" items)");
            }
        }
        sb.Append(close);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0,
        max), "...");

    internal static string FormatDouble(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "inf";
        }
        if (double.IsNegativeInfinity(value))
        {
            return "-inf";
        }
        if (double.IsNaN(value))
        {
            return "nan";
        }
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    internal static bool TryParseDouble(ReadOnlySpan<char> text, out double value)
    {
        if (text.Equals("inf", StringComparison.OrdinalIgnoreCase) || text.Equals("+inf",
            StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return true;
        }
        if (text.Equals("-inf", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NegativeInfinity;
            return true;
        }
        if (text.Equals("nan", StringComparison.OrdinalIgnoreCase) || text.Equals("-nan",
            StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
