using System.Net;
using System.Net.Sockets;

namespace RedisDocker.Core;

/// <summary>An IPv4 network in CIDR form (172.28.0.0/16).</summary>
public readonly record struct IPv4Cidr(uint Network, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0u : uint.MaxValue << (32 - PrefixLength);
    public uint Broadcast => Network | ~Mask;
    public ulong Size => 1UL << (32 - PrefixLength);

    public static IPv4Cidr Parse(string text)
    {
        if (!TryParse(text, out var cidr, out var error)) throw new FormatException(error);
        return cidr;
    }

    public static bool TryParse(string? text, out IPv4Cidr cidr, out string error)
    {
        cidr = default;
        error = $"'{text}' is not an IPv4 subnet in CIDR form such as 172.28.0.0/16.";
        if (string.IsNullOrWhiteSpace(text)) return false;
        var parts = text.Trim().Split('/');
        if (parts.Length != 2 || !TryParseAddress(parts[0], out var addr)) return false;
        if (!int.TryParse(parts[1], out var len) || len < 8 || len > 30)
        {
            error = $"'{text}': the prefix length must be between /8 and /30.";
            return false;
        }
        var c = new IPv4Cidr(0, len);
        if ((addr & ~c.Mask) != 0)
        {
            var fixedUp = new IPv4Cidr(addr & c.Mask, len);
            error = $"'{text}' has host bits set; did you mean {fixedUp}?";
            return false;
        }
        cidr = c with { Network = addr };
        error = "";
        return true;
    }

    public static bool TryParseAddress(string? text, out uint address)
    {
        address = 0;
        if (text is null || text.Count(ch => ch == '.') != 3) return false;
        // Dotted decimal only: a leading zero (010) would be read as octal by some parsers and as decimal by others.
        if (text.Split('.').Any(o => o.Length == 0 || o.Length > 3 || !o.All(char.IsAsciiDigit)
            || (o.Length > 1 && o[0] == '0'))) return false;
        if (!IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork) return false;
        var b = ip.GetAddressBytes();
        address = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        return true;
    }

    public static string Format(uint address) =>
        $"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}";

    public bool Contains(uint address) => (address & Mask) == Network;
    public bool Contains(string address) => TryParseAddress(address, out var a) && Contains(a);
    public bool Overlaps(IPv4Cidr other)
    {
        var shorter = Math.Min(PrefixLength, other.PrefixLength);
        var m = shorter == 0 ? 0u : uint.MaxValue << (32 - shorter);
        return (Network & m) == (other.Network & m);
    }

    /// <summary>True for RFC 1918 private ranges (10/8, 172.16/12, 192.168/16).</summary>
    public bool IsPrivate =>
        new IPv4Cidr(0x0A000000, 8).ContainsNetwork(this) ||
        new IPv4Cidr(0xAC100000, 12).ContainsNetwork(this) ||
        new IPv4Cidr(0xC0A80000, 16).ContainsNetwork(this);

    public bool ContainsNetwork(IPv4Cidr inner) => inner.PrefixLength >= PrefixLength && Contains(inner.Network);

    /// <summary>The conventional gateway: the first host address.</summary>
    public uint DefaultGateway => Network + 1;

    public override string ToString() => $"{Format(Network)}/{PrefixLength}";
}
