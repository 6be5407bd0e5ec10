using System.Globalization;
using System.Text;
using RedisDocker.Core.Resp;
using Xunit;

namespace RedisDocker.Core.Tests.Resp;

public class RespWriterTests
{
    private static string Wire(params object[] args) => Encoding.UTF8.GetString(RespWriter.EncodeCommand(args));

    [Fact]
    public void SimpleCommand_ExactBytes()
    {
        Assert.Equal(
            Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"),
            RespWriter.EncodeCommand(new object[] { "SET", "key", "value" }));
        Assert.Equal("*1\r\n$4\r\nPING\r\n", Wire("PING"));
    }

    [Fact]
    public void Utf8_LengthIsInBytes()
    {
        Assert.Equal("*2\r\n$4\r\nECHO\r\n$8\r\nh\u00e9\u2713\u00e9\r\n", Wire("ECHO", "h\u00e9\u2713\u00e9"));
        Assert.Equal("*2\r\n$4\r\nECHO\r\n$4\r\n\U0001F389\r\n", Wire("ECHO", "\U0001F389"));
        Assert.Equal("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", Wire("ECHO", ""));
    }

    [Fact]
    public void BinaryArguments_AreCopiedVerbatim()
    {
        var bytes = new byte[] { 0, 13, 10, 255, (byte)'$' };
        var expected = Encoding.ASCII.GetBytes("*4\r\n$3\r\nSET\r\n$5\r\n")
            .Concat(bytes).Concat(Encoding.ASCII.GetBytes("\r\n$2\r\n"))
            .Concat(new byte[] { 1, 2 }).Concat(Encoding.ASCII.GetBytes("\r\n$1\r\n"))
            .Concat(new byte[] { 9 }).Concat(Encoding.ASCII.GetBytes("\r\n")).ToArray();
        var actual = RespWriter.EncodeCommand(new object[]
        {
            "SET", bytes, new ReadOnlyMemory<byte>(new byte[] { 1, 2 }), new ArraySegment<byte>(new byte[] { 8, 9, 10 }, 1, 1),
        });
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Numbers_UseInvariantFormatting()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE") { NumberFormat = { NumberDecimalSeparator = ",", NegativeSign = "-" } };
            Assert.Equal("*2\r\n$4\r\nECHO\r\n$2\r\n42\r\n", Wire("ECHO", 42));
            Assert.Equal("*2\r\n$4\r\nECHO\r\n$20\r\n-9223372036854775808\r\n", Wire("ECHO", long.MinValue));
            Assert.Equal("*2\r\n$4\r\nECHO\r\n$3\r\n1.5\r\n", Wire("ECHO", 1.5));
            Assert.Equal("*2\r\n$4\r\nECHO\r\n$3\r\n0.1\r\n", Wire("ECHO", 0.1));
            Assert.Equal("*2\r\n$4\r\nECHO\r\n$4\r\n+inf\r\n", Wire("ECHO", double.PositiveInfinity));
            Assert.Equal("*2\r\n$4\r\nECHO\r\n$4\r\n-inf\r\n", Wire("ECHO", double.NegativeInfinity));
            Assert.Equal("*2\r\n$4\r\nECHO\r\n$3\r\n2.5\r\n", Wire("ECHO", 2.5f));
            Assert.Equal("*2\r\n$4\r\nECHO\r\n$4\r\n1.25\r\n", Wire("ECHO", 1.25m));
            Assert.Equal("*2\r\n$4\r\nECHO\r\n$4\r\nTrue\r\n", Wire("ECHO", true));
            Assert.Equal("*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n", Wire("ECHO", 'x'));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Double_RoundTrips()
    {
        foreach (double d in new[] { 0.1 + 0.2, 1e300, -1.2345678901234567e-200, 123456789.0 })
        {
            var reply = RespReader.ParseAll(RespWriter.EncodeCommand(new object[] { "X", d }))[0];
            Assert.Equal(d, double.Parse(reply.Items![1].Text!, CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void EncodedCommand_ParsesBackToItsArguments()
    {
        var big = new string('z', 100_000);
        var wire = RespWriter.EncodeCommand(new object[] { "MSET", "k1", big, "k2", new byte[] { 1, 2, 3 } });
        var items = RespReader.ParseAll(wire).Single().AsArray();
        Assert.Equal(new[] { "MSET", "k1", big, "k2", "\u0001\u0002\u0003" }, items.Select(i => i.Text));
        Assert.All(items, i => Assert.Equal(RespKind.BulkString, i.Kind));
    }

    [Fact]
    public void EncodeCommands_Concatenates()
    {
        var wire = RespWriter.EncodeCommands(new IReadOnlyList<object>[] { new object[] { "PING" }, new object[] { "GET", "a" } });
        Assert.Equal("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n", Encoding.ASCII.GetString(wire));
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => RespWriter.EncodeCommand(Array.Empty<object>()));
        Assert.Throws<ArgumentNullException>(() => RespWriter.EncodeCommand(null!));
        var ex = Assert.Throws<ArgumentException>(() => RespWriter.EncodeCommand(new object[] { "GET", null! }));
        Assert.Contains("argument 1", ex.Message);
        Assert.Throws<ArgumentException>(() => RespWriter.EncodeCommand(new object[] { "GET", CancellationToken.None }));
    }
}
