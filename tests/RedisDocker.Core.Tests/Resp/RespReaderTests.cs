using System.Globalization;
using System.Numerics;
using System.Text;
using RedisDocker.Core.Resp;
using Xunit;

namespace RedisDocker.Core.Tests.Resp;

public class RespReaderTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static RespValue ParseComplete(string wire)
    {
        var data = B(wire);
        Assert.True(RespReader.TryParse(data, out var value, out int consumed), "expected a complete reply");
        Assert.Equal(data.Length, consumed);
        return value;
    }

    /// <summary>Full, untruncated canonical rendering for structural comparisons.</summary>
    internal static string Canon(RespValue v)
    {
        var sb = new StringBuilder();
        var stack = new Stack<(RespValue Value, int Index)>();
        void Scalar(RespValue x) => sb.Append(x.Kind switch
        {
            RespKind.Null => "nil",
            RespKind.Integer => "i:" + x.Integer.ToString(CultureInfo.InvariantCulture),
            RespKind.Boolean => "b:" + x.Integer.ToString(CultureInfo.InvariantCulture),
            RespKind.BulkString => "$:" + Convert.ToHexString(x.Bytes!),
            _ => x.Kind + ":" + x.Text,
        });
        void Open(RespValue x) => sb.Append(x.Kind).Append('[');
        if (v.Items is null)
        {
            Scalar(v);
            return sb.ToString();
        }
        Open(v);
        stack.Push((v, 0));
        while (stack.Count > 0)
        {
            var (node, index) = stack.Pop();
            if (index == node.Items!.Count)
            {
                sb.Append(']');
                continue;
            }
            stack.Push((node, index + 1));
            if (index > 0)
            {
                sb.Append(',');
            }
            var child = node.Items[index];
            if (child.Items is null)
            {
                Scalar(child);
            }
            else
            {
                Open(child);
                stack.Push((child, 0));
            }
        }
        return sb.ToString();
    }

    [Fact]
    public void SimpleString()
    {
        var v = ParseComplete("+OK\r\n");
        Assert.Equal(RespKind.SimpleString, v.Kind);
        Assert.Equal("OK", v.Text);
        Assert.Equal("OK", v.AsString());
        Assert.Null(v.Bytes);
        Assert.False(v.IsNull);
        Assert.False(v.IsError);
    }

    [Fact]
    public void SimpleString_Utf8()
    {
        Assert.Equal("héllo ✓", ParseComplete("+héllo ✓\r\n").Text);
    }

    [Fact]
    public void Error_HasPrefixAndMessage()
    {
        var v = ParseComplete("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        Assert.Equal(RespKind.Error, v.Kind);
        Assert.True(v.IsError);
        Assert.Equal("WRONGTYPE Operation against a key holding the wrong kind of value", v.Text);
        var ex = Assert.Throws<RedisServerException>(() => v.ThrowIfError());
        Assert.Equal("WRONGTYPE", ex.Prefix);
        Assert.Equal("WRONGTYPE Operation against a key holding the wrong kind of value", ex.ServerMessage);
        Assert.Equal(ex.ServerMessage, ex.Message);
    }

    [Fact]
    public void BlobError_IsError()
    {
        var v = ParseComplete("!21\r\nSYNTAX invalid syntax\r\n");
        Assert.Equal(RespKind.Error, v.Kind);
        Assert.Equal("SYNTAX invalid syntax", v.Text);
    }

    [Theory]
    [InlineData(":0\r\n", 0L)]
    [InlineData(":1000\r\n", 1000L)]
    [InlineData(":-42\r\n", -42L)]
    [InlineData(":9223372036854775807\r\n", long.MaxValue)]
    [InlineData(":-9223372036854775808\r\n", long.MinValue)]
    public void Integer(string wire, long expected)
    {
        var v = ParseComplete(wire);
        Assert.Equal(RespKind.Integer, v.Kind);
        Assert.Equal(expected, v.Integer);
        Assert.Equal(expected, v.AsInt64());
        Assert.Equal(expected, v.ToObject());
    }

    [Fact]
    public void BulkString_KeepsRawBytesIncludingCrLf()
    {
        var v = ParseComplete("$7\r\nhe\r\nllo\r\n");
        Assert.Equal(RespKind.BulkString, v.Kind);
        Assert.Equal(B("he\r\nllo"), v.Bytes);
        Assert.Equal("he\r\nllo", v.Text);
    }

    [Fact]
    public void BulkString_Binary()
    {
        var payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var wire = B("$256\r\n").Concat(payload).Concat(B("\r\n")).ToArray();
        Assert.True(RespReader.TryParse(wire, out var v, out int consumed));
        Assert.Equal(wire.Length, consumed);
        Assert.Equal(payload, v.Bytes);
    }

    [Fact]
    public void EmptyBulkString()
    {
        var v = ParseComplete("$0\r\n\r\n");
        Assert.Equal(RespKind.BulkString, v.Kind);
        Assert.Empty(v.Bytes!);
        Assert.Equal("", v.Text);
        Assert.False(v.IsNull);
    }

    [Fact]
    public void NilBulk()
    {
        var v = ParseComplete("$-1\r\n");
        Assert.Equal(RespKind.Null, v.Kind);
        Assert.True(v.IsNull);
        Assert.Null(v.Text);
        Assert.Null(v.Bytes);
        Assert.Null(v.ToObject());
        Assert.Null(v.AsStringOrNull());
        Assert.Same(RespValue.Nil, v);
    }

    [Fact]
    public void NilArray()
    {
        var v = ParseComplete("*-1\r\n");
        Assert.True(v.IsNull);
        Assert.Null(v.Items);
        Assert.Throws<InvalidOperationException>(() => v.AsArray());
    }

    [Fact]
    public void Resp3Null()
    {
        Assert.True(ParseComplete("_\r\n").IsNull);
    }

    [Fact]
    public void EmptyArray()
    {
        var v = ParseComplete("*0\r\n");
        Assert.Equal(RespKind.Array, v.Kind);
        Assert.Empty(v.AsArray());
        Assert.False(v.IsNull);
        Assert.Equal(Array.Empty<object?>(), v.ToObject());
    }

    [Fact]
    public void NestedArrays()
    {
        var v = ParseComplete("*3\r\n*2\r\n:1\r\n$1\r\na\r\n*0\r\n*1\r\n*1\r\n$-1\r\n");
        Assert.Equal("Array[Array[i:1,$:61],Array[],Array[Array[nil]]]", Canon(v));
        var obj = Assert.IsType<object?[]>(v.ToObject());
        Assert.Equal(new object?[] { 1L, "a" }, Assert.IsType<object?[]>(obj[0]));
        Assert.Empty(Assert.IsType<object?[]>(obj[1]));
        Assert.Equal(new object?[] { null }, Assert.IsType<object?[]>(Assert.IsType<object?[]>(obj[2])[0]));
    }

    [Fact]
    public void ArrayWithErrorElement_ErrorIsAValue()
    {
        var v = ParseComplete("*2\r\n+OK\r\n-ERR nope\r\n");
        Assert.Equal(RespKind.Error, v.AsArray()[1].Kind);
        Assert.Throws<RedisServerException>(() => v.ToObject());
    }

    [Theory]
    [InlineData(",3.14\r\n", 3.14)]
    [InlineData(",-0.25\r\n", -0.25)]
    [InlineData(",1.5e3\r\n", 1500.0)]
    [InlineData(",10\r\n", 10.0)]
    [InlineData(",inf\r\n", double.PositiveInfinity)]
    [InlineData(",-inf\r\n", double.NegativeInfinity)]
    public void Double(string wire, double expected)
    {
        var v = ParseComplete(wire);
        Assert.Equal(RespKind.Double, v.Kind);
        Assert.Equal(expected, v.AsDouble());
        Assert.Equal(expected, v.ToObject());
        Assert.Equal(wire[1..^2], v.Text);
    }

    [Fact]
    public void Double_NaN()
    {
        Assert.True(double.IsNaN(ParseComplete(",nan\r\n").AsDouble()));
    }

    [Fact]
    public void Booleans()
    {
        var t = ParseComplete("#t\r\n");
        var f = ParseComplete("#f\r\n");
        Assert.Equal(RespKind.Boolean, t.Kind);
        Assert.Equal(1, t.Integer);
        Assert.Equal(0, f.Integer);
        Assert.Equal(true, t.ToObject());
        Assert.Equal(false, f.ToObject());
        Assert.True(t.AsBoolean());
        Assert.False(f.AsBoolean());
    }

    [Fact]
    public void BigNumber()
    {
        var v = ParseComplete("(3492890328409238509324850943850943825024385\r\n");
        Assert.Equal(RespKind.BigNumber, v.Kind);
        Assert.Equal("3492890328409238509324850943850943825024385", v.Text);
        Assert.Equal(BigInteger.Parse("3492890328409238509324850943850943825024385", CultureInfo.InvariantCulture), v.ToObject());
        Assert.Equal(-12L, ParseComplete("(-12\r\n").AsInt64());
    }

    [Fact]
    public void Verbatim_StripsFormat()
    {
        var v = ParseComplete("=15\r\ntxt:Some string\r\n");
        Assert.Equal(RespKind.VerbatimString, v.Kind);
        Assert.Equal("Some string", v.Text);
        Assert.Equal("Some string", v.ToObject());
        Assert.Equal("", ParseComplete("=4\r\nmkd:\r\n").Text);
    }

    [Fact]
    public void Map_IsFlattened()
    {
        var v = ParseComplete("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n");
        Assert.Equal(RespKind.Map, v.Kind);
        Assert.Equal(4, v.Items!.Count);
        var dict = v.AsDictionary();
        Assert.Equal(1, dict["first"].Integer);
        Assert.Equal(2, dict["second"].Integer);
        Assert.Equal(new object?[] { "first", 1L, "second", 2L }, v.ToObject());
        Assert.Equal(RespKind.Map, ParseComplete("%0\r\n").Kind);
    }

    [Fact]
    public void Set()
    {
        var v = ParseComplete("~3\r\n+a\r\n:1\r\n#f\r\n");
        Assert.Equal(RespKind.Set, v.Kind);
        Assert.Equal(new object?[] { "a", 1L, false }, v.ToObject());
    }

    [Fact]
    public void Push()
    {
        var v = ParseComplete(">3\r\n+message\r\n+chan\r\n$5\r\nhello\r\n");
        Assert.Equal(RespKind.Push, v.Kind);
        Assert.Equal("hello", v.Items![2].Text);
    }

    [Fact]
    public void Attribute_AtTopLevel_IsSkipped()
    {
        var v = ParseComplete("|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n");
        Assert.Equal("Array[i:2039123,i:9543892]", Canon(v));
    }

    [Fact]
    public void Attribute_InsideArray_DoesNotCountAsElement()
    {
        Assert.Equal("Array[i:1,i:2]", Canon(ParseComplete("*2\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n")));
        Assert.Equal(5, ParseComplete("|0\r\n:5\r\n").Integer);
    }

    [Fact]
    public void TwoRepliesInOneBuffer()
    {
        var data = B("+OK\r\n:7\r\n");
        Assert.True(RespReader.TryParse(data, out var first, out int consumed));
        Assert.Equal(5, consumed);
        Assert.Equal("OK", first.Text);
        Assert.True(RespReader.TryParse(data.AsSpan(consumed), out var second, out int consumed2));
        Assert.Equal(4, consumed2);
        Assert.Equal(7, second.Integer);
        Assert.Equal(2, RespReader.ParseAll(data).Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("+OK")]
    [InlineData("+OK\r")]
    [InlineData(":12")]
    [InlineData("$5\r\n")]
    [InlineData("$5\r\nhel")]
    [InlineData("$5\r\nhello")]
    [InlineData("$5\r\nhello\r")]
    [InlineData("*2\r\n:1\r\n")]
    [InlineData("*2\r\n:1\r\n$3\r\nab")]
    [InlineData("%1\r\n+k\r\n")]
    [InlineData("|1\r\n+a\r\n+b\r\n")]
    [InlineData("*1000000000\r\n:1\r\n")]
    public void Incomplete_ReturnsNeedMore(string wire)
    {
        var data = B(wire);
        Assert.False(RespReader.TryParse(data, out var value, out int consumed));
        Assert.Equal(0, consumed);
        Assert.Same(RespValue.Nil, value);
        Assert.Same(RespValue.Nil, RespReader.Parse(data, out int consumed2));
        Assert.Equal(0, consumed2);
    }

    [Theory]
    [InlineData("@foo\r\n")]
    [InlineData("hello\r\n")]
    [InlineData("$abc\r\n")]
    [InlineData("$-2\r\n")]
    [InlineData("$\r\n")]
    [InlineData("$?\r\n")]
    [InlineData("*-5\r\n")]
    [InlineData("%-1\r\n")]
    [InlineData("$3\r\nabcd\r\n")]
    [InlineData("+OK\n")]
    [InlineData("+O\rK\r\n")]
    [InlineData(":12x\r\n")]
    [InlineData(":+5\r\n")]
    [InlineData(": 5\r\n")]
    [InlineData(":99999999999999999999\r\n")]
    [InlineData("#x\r\n")]
    [InlineData("#tt\r\n")]
    [InlineData(",abc\r\n")]
    [InlineData("(12a\r\n")]
    [InlineData("(\r\n")]
    [InlineData("=3\r\nabc\r\n")]
    [InlineData("=5\r\ntxt-a\r\n")]
    [InlineData("_x\r\n")]
    [InlineData("*1\r\n?\r\n")]
    [InlineData("%1073741824\r\n")]
    public void Malformed_Throws(string wire)
    {
        Assert.Throws<RespProtocolException>(() => RespReader.TryParse(B(wire), out _, out _));
    }

    private static readonly string Composite =
        "*15\r\n+OK\r\n-ERR bad thing\r\n:-42\r\n$7\r\nhe\r\nllo\r\n$-1\r\n*-1\r\n*0\r\n*2\r\n*1\r\n:1\r\n$0\r\n\r\n" +
        ",3.5\r\n#t\r\n(123456789012345678901234567890\r\n=9\r\ntxt:hello\r\n%1\r\n+k\r\n~2\r\n_\r\n!3\r\nBAD\r\n" +
        "|1\r\n+meta\r\n:1\r\n:99\r\n>1\r\n+p\r\n";

    private const string CompositeCanon =
        "Array[SimpleString:OK,Error:ERR bad thing,i:-42,$:68650D0A6C6C6F,nil,nil,Array[],Array[Array[i:1],$:]," +
        "Double:3.5,b:1,BigNumber:123456789012345678901234567890,VerbatimString:hello,Map[SimpleString:k,Set[nil,Error:BAD]]," +
        "i:99,Push[SimpleString:p]]";

    [Fact]
    public void Composite_ParsesAllTypes()
    {
        Assert.Equal(CompositeCanon, Canon(ParseComplete(Composite)));
    }

    [Fact]
    public void Composite_EveryPrefixIsIncomplete()
    {
        var data = B(Composite);
        for (int length = 0; length < data.Length; length++)
        {
            Assert.False(RespReader.TryParse(data.AsSpan(0, length), out _, out int consumed), $"prefix {length}");
            Assert.Equal(0, consumed);
        }
    }

    [Fact]
    public void Composite_SplitAtEveryPosition_IncrementalParser()
    {
        var data = B(Composite);
        for (int split = 0; split <= data.Length; split++)
        {
            var parser = new RespParser();
            bool done = parser.TryRead(data.AsSpan(0, split), out int consumed, out var value);
            if (split < data.Length)
            {
                Assert.False(done, $"split {split}");
                Assert.True(consumed <= split);
                Assert.True(parser.TryRead(data.AsSpan(consumed), out int consumed2, out value), $"split {split}");
                Assert.Equal(data.Length, consumed + consumed2);
            }
            else
            {
                Assert.True(done);
                Assert.Equal(data.Length, consumed);
            }
            Assert.Equal(CompositeCanon, Canon(value!));
            Assert.False(parser.InProgress);
        }
    }

    [Fact]
    public void Composite_ByteByByte_LikeASocket()
    {
        // Simulates a connection buffer receiving one byte at a time, re-feeding what was not consumed.
        var data = B(Composite + Composite);
        var parser = new RespParser();
        var pending = new List<byte>();
        var results = new List<RespValue>();
        foreach (byte b in data)
        {
            pending.Add(b);
            while (pending.Count > 0 && parser.TryRead(pending.ToArray(), out int consumed, out var value) is var done)
            {
                pending.RemoveRange(0, consumed);
                if (!done)
                {
                    break;
                }
                results.Add(value!);
            }
        }
        Assert.Empty(pending);
        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal(CompositeCanon, Canon(r)));
    }

    [Fact]
    public void OneMegabyteBulk_WholeAndIncremental()
    {
        var payload = new byte[1024 * 1024];
        new Random(42).NextBytes(payload);
        var wire = B("$1048576\r\n").Concat(payload).Concat(B("\r\n+next\r\n")).ToArray();

        Assert.True(RespReader.TryParse(wire, out var whole, out int consumed));
        Assert.Equal(wire.Length - 7, consumed);
        Assert.Equal(payload, whole.Bytes);
        Assert.False(RespReader.TryParse(wire.AsSpan(0, wire.Length - 10), out _, out _));

        // Chunked feeding as from a socket: odd-sized chunks, and the parser never needs more than a chunk buffered.
        var parser = new RespParser();
        int offset = 0;
        RespValue? value = null;
        int chunk = 7919;
        byte[] buffer = Array.Empty<byte>();
        while (value is null)
        {
            int take = Math.Min(chunk, wire.Length - offset);
            buffer = buffer.Concat(wire.Skip(offset).Take(take)).ToArray();
            offset += take;
            if (parser.TryRead(buffer, out int used, out var v))
            {
                value = v;
            }
            buffer = buffer[used..];
            Assert.True(buffer.Length < chunk + 16, "parser must consume bulk data as it arrives");
        }
        Assert.Equal(payload, value.Bytes);
    }

    [Fact]
    public void LargeBulk_DirectFillThroughPendingBulk()
    {
        var payload = new byte[300_000];
        new Random(7).NextBytes(payload);
        var parser = new RespParser();
        Assert.False(parser.TryRead(B("$300000\r\n").Concat(payload.Take(100)).ToArray(), out int consumed, out _));
        Assert.Equal(9 + 100, consumed);
        int filled = 100;
        while (parser.PendingBulk.Length > 0)
        {
            var target = parser.PendingBulk;
            int n = Math.Min(65536, target.Length);
            payload.AsSpan(filled, n).CopyTo(target.Span);
            parser.AdvanceBulk(n);
            filled += n;
        }
        Assert.True(parser.TryRead(B("\r\n"), out consumed, out var value));
        Assert.Equal(2, consumed);
        Assert.Equal(payload, value!.Bytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => parser.AdvanceBulk(1));
    }

    [Fact]
    public void DeeplyNestedArrays_DoNotOverflowTheStack()
    {
        const int depth = 100_000;
        var sb = new StringBuilder();
        for (int i = 0; i < depth; i++)
        {
            sb.Append("*1\r\n");
        }
        sb.Append(":7\r\n");
        var v = ParseComplete(sb.ToString());
        int levels = 0;
        while (v.Kind == RespKind.Array)
        {
            v = v.Items![0];
            levels++;
        }
        Assert.Equal(depth, levels);
        Assert.Equal(7, v.Integer);
    }

    [Fact]
    public void ParseAll_ThrowsOnTrailingPartialReply()
    {
        Assert.Throws<RespProtocolException>(() => RespReader.ParseAll(B("+OK\r\n:1")));
    }

    [Fact]
    public void LargeArray_GrowsBeyondInitialCapacity()
    {
        var sb = new StringBuilder("*5000\r\n");
        for (int i = 0; i < 5000; i++)
        {
            sb.Append(':').Append(i).Append("\r\n");
        }
        var items = ParseComplete(sb.ToString()).AsArray();
        Assert.Equal(5000, items.Count);
        Assert.Equal(4999, items[4999].Integer);
    }
}
