using System.Globalization;
using System.Text;

namespace RedisDocker;

/// <summary>
/// A reply of Invoke-RedisCommand from one of several nodes (nodes piped in, or a command without keys
/// run on every primary of a cluster): which node answered, and what.
/// </summary>
public sealed record RedisCommandResult
{
    /// <summary>The node (container name) that answered.</summary>
    public required string Node { get; init; }
    /// <summary>The published endpoint the command went to.</summary>
    public string? HostEndpoint { get; init; }
    /// <summary>The reply: a string, a number, $null, or a RedisReplyArray.</summary>
    public object? Reply { get; init; }
    /// <summary>The cluster (topology) when the command ran on a cluster's members.</summary>
    public string? Cluster { get; init; }
    public string NodeName => Node;
    public override string ToString() => $"{Node}: {RedisReplyArray.Render(Reply)}";
}

/// <summary>
/// A nested array inside a reply (ROLE, CLUSTER SHARDS, XRANGE...): indexable like an array
/// ($r[2][0]), printed on one line the way redis-cli lists it, not as an array's properties.
/// </summary>
public sealed class RedisReplyArray
{
    private readonly object?[] _items;

    public RedisReplyArray(object?[] items) => _items = items;

    public int Count => _items.Length;
    public object? this[int index] => _items[index];
    /// <summary>The elements (arrays inside are RedisReplyArray too).</summary>
    public IReadOnlyList<object?> Items => _items;

    /// <summary>Top-level elements as they are; nested object[] (any depth) become RedisReplyArray.</summary>
    public static object? Wrap(object? value) => value is object?[] a ? new RedisReplyArray(a.Select(Wrap).ToArray())
        : value;

    public static string Render(object? value)
    {
        var sb = new StringBuilder();
        Render(sb, value);
        return sb.ToString();
    }

    private static void Render(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null: sb.Append("(nil)"); break;
            case RedisReplyArray r: Render(sb, r._items); break;
            case object?[] a:
                sb.Append('{');
                for (var i = 0; i < a.Length; i++)
                {
                    if (i > 0) sb.Append(", ");
                    Render(sb, a[i]);
                }
                sb.Append('}');
                break;
            default: sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    public override string ToString() => Render(this);
}
