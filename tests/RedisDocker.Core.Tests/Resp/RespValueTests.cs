using RedisDocker.Core.Resp;
using Xunit;

namespace RedisDocker.Core.Tests.Resp;

public class RespValueTests
{
    [Fact]
    public void AsString_ByKind()
    {
        Assert.Equal("x", RespValue.FromSimple("x").AsString());
        Assert.Equal("é", RespValue.FromBulk(new byte[] { 0xC3, 0xA9 }).AsString());
        Assert.Equal("42", RespValue.FromInteger(42).AsString());
        Assert.Equal("1.5", RespValue.FromDouble(1.5).AsString());
        Assert.Equal("v", RespValue.FromVerbatim("v").AsString());
        Assert.Throws<InvalidOperationException>(() => RespValue.Nil.AsString());
        Assert.Null(RespValue.Nil.AsStringOrNull());
        Assert.Throws<InvalidOperationException>(() => RespValue.FromArray(RespValue.FromInteger(1)).AsString());
        Assert.Throws<InvalidOperationException>(() => RespValue.FromBoolean(true).AsString());
        var ex = Assert.Throws<RedisServerException>(() => RespValue.FromError("NOAUTH Authentication required.").AsString());
        Assert.Equal("NOAUTH", ex.Prefix);
    }

    [Fact]
    public void AsInt64_ParsesText()
    {
        Assert.Equal(12, RespValue.FromBulk("12").AsInt64());
        Assert.Equal(-3, RespValue.FromSimple("-3").AsInt64());
        Assert.Equal(1, RespValue.FromBoolean(true).AsInt64());
        Assert.Throws<InvalidOperationException>(() => RespValue.FromBulk("1.5").AsInt64());
        Assert.Throws<InvalidOperationException>(() => RespValue.Nil.AsInt64());
        Assert.Throws<RedisServerException>(() => RespValue.FromError("ERR x").AsInt64());
    }

    [Fact]
    public void AsDouble_And_AsBoolean()
    {
        Assert.Equal(2.5, RespValue.FromBulk("2.5").AsDouble());
        Assert.Equal(double.NegativeInfinity, RespValue.FromBulk("-inf").AsDouble());
        Assert.Equal(3.0, RespValue.FromInteger(3).AsDouble());
        Assert.True(RespValue.FromSimple("OK").AsBoolean());
        Assert.False(RespValue.FromInteger(0).AsBoolean());
        Assert.Throws<InvalidOperationException>(() => RespValue.FromBulk("maybe").AsBoolean());
    }

    [Fact]
    public void ThrowIfError_ReturnsSelfOtherwise()
    {
        var ok = RespValue.FromSimple("OK");
        Assert.Same(ok, ok.ThrowIfError());
        var ex = Assert.Throws<RedisServerException>(() => RespValue.FromError("MOVED 3999 127.0.0.1:6381").ThrowIfError());
        Assert.Equal("MOVED", ex.Prefix);
        Assert.Equal("MOVED 3999 127.0.0.1:6381", ex.ServerMessage);
    }

    [Theory]
    [InlineData("ERR unknown command 'FOO'", "ERR")]
    [InlineData("WRONGPASS invalid username-password pair or user is disabled.", "WRONGPASS")]
    [InlineData("LOADING Redis is loading the dataset in memory", "LOADING")]
    [InlineData("CLUSTERDOWN", "CLUSTERDOWN")]
    [InlineData("", "")]
    public void ServerException_Prefix(string message, string prefix)
    {
        var ex = new RedisServerException(message);
        Assert.Equal(prefix, ex.Prefix);
        Assert.Equal(message, ex.Message);
        Assert.IsAssignableFrom<RedisException>(ex);
    }

    [Fact]
    public void ToObject_Shapes()
    {
        var value = RespValue.FromArray(
            RespValue.FromBulk("a"),
            RespValue.FromInteger(1),
            RespValue.Nil,
            RespValue.FromDouble(0.5),
            RespValue.FromBoolean(false),
            RespValue.FromMap(new[] { RespValue.FromSimple("k"), RespValue.FromSet(new[] { RespValue.FromBigNumber("-5") }) }));
        var obj = Assert.IsType<object?[]>(value.ToObject());
        Assert.Equal("a", obj[0]);
        Assert.Equal(1L, obj[1]);
        Assert.Null(obj[2]);
        Assert.Equal(0.5, obj[3]);
        Assert.Equal(false, obj[4]);
        var map = Assert.IsType<object?[]>(obj[5]);
        Assert.Equal("k", map[0]);
        Assert.Equal(new object?[] { new System.Numerics.BigInteger(-5) }, map[1]);
        Assert.Throws<RedisServerException>(() => RespValue.FromError("ERR boom").ToObject());
    }

    [Fact]
    public void AsDictionary_WorksForMapAndRESP2FlatArray()
    {
        var flat = RespValue.FromArray(RespValue.FromBulk("maxmemory"), RespValue.FromBulk("0"));
        Assert.Equal("0", flat.AsDictionary()["maxmemory"].AsString());
        Assert.Throws<InvalidOperationException>(() => RespValue.FromArray(RespValue.FromBulk("x")).AsDictionary());
        Assert.Throws<ArgumentException>(() => RespValue.FromMap(new[] { RespValue.FromBulk("x") }));
    }

    [Fact]
    public void ToString_IsReadableAndTruncated()
    {
        Assert.Equal("(nil)", RespValue.Nil.ToString());
        Assert.Equal("(integer) 5", RespValue.FromInteger(5).ToString());
        Assert.Equal("(error) ERR x", RespValue.FromError("ERR x").ToString());
        Assert.Equal("[\"a\", (integer) 1, (nil)]", RespValue.FromArray(RespValue.FromBulk("a"), RespValue.FromInteger(1), RespValue.Nil).ToString());
        Assert.Equal("{OK: (true)}", RespValue.FromMap(new[] { RespValue.FromSimple("OK"), RespValue.FromBoolean(true) }).ToString());
        var longText = RespValue.FromBulk(new string('a', 10_000)).ToString();
        Assert.True(longText.Length < 300);
        var many = RespValue.FromArray(Enumerable.Range(0, 1000).Select(i => RespValue.FromInteger(i))).ToString();
        Assert.Contains("1000 items", many);
    }

    [Fact]
    public void BulkFromString_KeepsBytesAndText()
    {
        var v = RespValue.FromBulk("h\u00e9");
        Assert.Equal(new byte[] { (byte)'h', 0xC3, 0xA9 }, v.Bytes);
        Assert.Equal("h\u00e9", v.Text);
        Assert.Same(RespValue.Nil, RespValue.FromBulk((string?)null));
    }
}
