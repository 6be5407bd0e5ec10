using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class IPv4CidrTests
{
    private static uint Addr(string text)
    {
        Assert.True(IPv4Cidr.TryParseAddress(text, out var a), text);
        return a;
    }

    [Theory]
    [InlineData("172.28.0.0/16", 0xAC1C0000u, 16)]
    [InlineData("10.0.0.0/8", 0x0A000000u, 8)]
    [InlineData("192.168.42.0/24", 0xC0A82A00u, 24)]
    [InlineData("192.168.42.4/30", 0xC0A82A04u, 30)]
    [InlineData("  172.28.0.0/16  ", 0xAC1C0000u, 16)]
    public void Parse_ReadsNetworkAndPrefix(string text, uint network, int prefix)
    {
        var c = IPv4Cidr.Parse(text);
        Assert.Equal(network, c.Network);
        Assert.Equal(prefix, c.PrefixLength);
        Assert.Equal(text.Trim(), c.ToString());
    }

    [Fact]
    public void Format_And_ToString_AreDottedQuad()
    {
        Assert.Equal("0.0.0.0", IPv4Cidr.Format(0));
        Assert.Equal("255.255.255.255", IPv4Cidr.Format(uint.MaxValue));
        Assert.Equal("172.28.0.1", IPv4Cidr.Format(0xAC1C0001));
        Assert.Equal("172.28.0.0/16", new IPv4Cidr(0xAC1C0000, 16).ToString());
    }

    [Fact]
    public void Mask_Broadcast_Size()
    {
        var c = IPv4Cidr.Parse("172.28.0.0/16");
        Assert.Equal(0xFFFF0000u, c.Mask);
        Assert.Equal("172.28.255.255", IPv4Cidr.Format(c.Broadcast));
        Assert.Equal(65536UL, c.Size);

        var small = IPv4Cidr.Parse("10.1.2.8/29");
        Assert.Equal(0xFFFFFFF8u, small.Mask);
        Assert.Equal("10.1.2.15", IPv4Cidr.Format(small.Broadcast));
        Assert.Equal(8UL, small.Size);
    }

    [Theory]
    [InlineData("172.28.1.0/16", "172.28.0.0/16")]
    [InlineData("172.28.0.1/16", "172.28.0.0/16")]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("192.168.1.77/24", "192.168.1.0/24")]
    [InlineData("192.168.1.7/30", "192.168.1.4/30")]
    public void HostBitsSet_IsRefused_AndTheErrorSuggestsTheNetwork(string text, string suggested)
    {
        Assert.False(IPv4Cidr.TryParse(text, out var c, out var error));
        Assert.Equal(default, c);
        Assert.Contains("host bits set", error);
        Assert.Contains($"did you mean {suggested}?", error);
        var ex = Assert.Throws<FormatException>(() => IPv4Cidr.Parse(text));
        Assert.Equal(error, ex.Message);
    }

    [Theory]
    [InlineData("10.0.0.0/7")]
    [InlineData("0.0.0.0/0")]
    [InlineData("172.28.0.0/31")]
    [InlineData("172.28.0.0/32")]
    [InlineData("172.28.0.0/-1")]
    [InlineData("172.28.0.0/x")]
    [InlineData("172.28.0.0/")]
    public void PrefixOutsideEightToThirty_IsRefused(string text)
    {
        Assert.False(IPv4Cidr.TryParse(text, out _, out var error));
        Assert.Contains("prefix length must be between /8 and /30", error);
    }

    [Fact]
    public void PrefixBounds_EightAndThirtyAreAccepted()
    {
        Assert.True(IPv4Cidr.TryParse("10.0.0.0/8", out var a, out var e1));
        Assert.Equal("", e1);
        Assert.Equal(8, a.PrefixLength);
        Assert.True(IPv4Cidr.TryParse("10.0.0.4/30", out var b, out var e2));
        Assert.Equal("", e2);
        Assert.Equal(30, b.PrefixLength);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("172.28.0.0")]
    [InlineData("172.28.0/16")]
    [InlineData("172.28.0.0.0/16")]
    [InlineData("256.0.0.0/8")]
    [InlineData("fd00::/64")]
    [InlineData("172.28.0.0/16/1")]
    [InlineData("host/16")]
    public void NotCidr_IsRefusedWithTheGenericMessage(string? text)
    {
        Assert.False(IPv4Cidr.TryParse(text, out _, out var error));
        Assert.Contains("is not an IPv4 subnet in CIDR form", error);
    }

    [Fact]
    public void Parse_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => IPv4Cidr.Parse("nonsense"));
    }

    [Theory]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("::1")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("300.1.1.1")]
    public void TryParseAddress_RefusesNonIPv4(string? text)
    {
        Assert.False(IPv4Cidr.TryParseAddress(text, out var a));
        Assert.Equal(0u, a);
    }

    [Fact]
    public void TryParseAddress_IsBigEndian()
    {
        Assert.Equal(0xC0A80001u, Addr("192.168.0.1"));
        Assert.Equal(0xFFFFFFFFu, Addr("255.255.255.255"));
    }

    [Fact]
    public void Contains_UintAndString()
    {
        var c = IPv4Cidr.Parse("172.28.0.0/16");
        Assert.True(c.Contains(Addr("172.28.0.0")));
        Assert.True(c.Contains(Addr("172.28.255.255")));
        Assert.True(c.Contains("172.28.3.4"));
        Assert.False(c.Contains("172.29.0.0"));
        Assert.False(c.Contains("172.27.255.255"));
        Assert.False(c.Contains("not an address"));
        Assert.False(c.Contains("::1"));
    }

    [Theory]
    // same network
    [InlineData("172.28.0.0/16", "172.28.0.0/16", true)]
    // nested: a /24 inside a /16, both directions
    [InlineData("172.28.0.0/16", "172.28.5.0/24", true)]
    [InlineData("172.28.5.0/24", "172.28.0.0/16", true)]
    [InlineData("10.0.0.0/8", "10.200.3.0/24", true)]
    [InlineData("10.200.3.0/24", "10.0.0.0/8", true)]
    // adjacent, not overlapping
    [InlineData("172.28.0.0/24", "172.28.1.0/24", false)]
    [InlineData("172.28.1.0/24", "172.28.0.0/24", false)]
    [InlineData("172.28.0.0/16", "172.29.0.0/16", false)]
    [InlineData("192.168.0.0/25", "192.168.0.128/25", false)]
    // unrelated
    [InlineData("10.0.0.0/8", "192.168.0.0/16", false)]
    public void Overlaps(string a, string b, bool expected)
    {
        Assert.Equal(expected, IPv4Cidr.Parse(a).Overlaps(IPv4Cidr.Parse(b)));
        Assert.Equal(expected, IPv4Cidr.Parse(b).Overlaps(IPv4Cidr.Parse(a)));
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("10.255.255.0/24", true)]
    [InlineData("172.16.0.0/12", true)]
    [InlineData("172.16.0.0/16", true)]
    [InlineData("172.31.255.0/24", true)]
    [InlineData("172.28.0.0/16", true)]
    [InlineData("192.168.0.0/16", true)]
    [InlineData("192.168.100.0/24", true)]
    [InlineData("172.15.0.0/16", false)]
    [InlineData("172.15.255.0/24", false)]
    [InlineData("172.32.0.0/16", false)]
    [InlineData("172.38.0.0/16", false)]
    [InlineData("172.0.0.0/8", false)]   // contains 172.16/12 but is larger than it
    [InlineData("192.0.0.0/8", false)]
    [InlineData("192.169.0.0/16", false)]
    [InlineData("11.0.0.0/8", false)]
    [InlineData("8.8.8.0/24", false)]
    public void IsPrivate(string cidr, bool expected)
    {
        Assert.Equal(expected, IPv4Cidr.Parse(cidr).IsPrivate);
    }

    [Fact]
    public void ContainsNetwork_RequiresALongerOrEqualPrefixInside()
    {
        var outer = IPv4Cidr.Parse("172.16.0.0/12");
        Assert.True(outer.ContainsNetwork(IPv4Cidr.Parse("172.16.0.0/12")));
        Assert.True(outer.ContainsNetwork(IPv4Cidr.Parse("172.20.1.0/24")));
        Assert.False(outer.ContainsNetwork(IPv4Cidr.Parse("172.0.0.0/8")));
        Assert.False(outer.ContainsNetwork(IPv4Cidr.Parse("172.32.0.0/16")));
    }

    [Theory]
    [InlineData("172.28.0.0/16", "172.28.0.1")]
    [InlineData("10.0.0.0/8", "10.0.0.1")]
    [InlineData("192.168.7.64/26", "192.168.7.65")]
    public void DefaultGateway_IsTheFirstHost(string cidr, string gateway)
    {
        Assert.Equal(gateway, IPv4Cidr.Format(IPv4Cidr.Parse(cidr).DefaultGateway));
    }
}
