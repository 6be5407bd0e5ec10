using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RedisDocker.Core.Docker;

/// <summary>Tolerant readers for the engine's JSON (missing or null members read as empty) and small builders.</summary>
internal static partial class DockerJson
{
    public static JsonElement? Member(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static string Str(this JsonElement e, string name) => e.StrOrNull(name) ?? "";

    public static string? StrOrNull(this JsonElement e, string name) =>
        e.Member(name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public static bool Bool(this JsonElement e, string name) =>
        e.Member(name) is { } v && v.ValueKind == JsonValueKind.True;

    public static long Long(this JsonElement e, string name) =>
        e.Member(name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out var n) ? n : 0;

    public static long? LongOrNull(this JsonElement e, string name) =>
        e.Member(name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out var n) ? n : null;

    public static int Int(this JsonElement e, string name)
    {
        var n = e.Long(name);
        return n > int.MaxValue ? int.MaxValue : n < int.MinValue ? int.MinValue : (int)n;
    }

    public static IReadOnlyDictionary<string, string> Map(this JsonElement e, string name)
    {
        if (e.Member(name) is not { ValueKind: JsonValueKind.Object } obj)
        {
            return DockerEmpty.Map;
        }

        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            d[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.ValueKind == JsonValueKind.Null ? "" : p.Value.GetRawText();
        }

        return d.AsReadOnly();
    }

    public static IReadOnlyList<string> Strings(this JsonElement e, string name)
    {
        if (e.Member(name) is not { ValueKind: JsonValueKind.Array } arr)
        {
            return DockerEmpty.List<string>();
        }

        return arr.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray();
    }

    public static IEnumerable<JsonElement> Array(this JsonElement e, string name) =>
        e.Member(name) is { ValueKind: JsonValueKind.Array } arr ? arr.EnumerateArray() : Enumerable.Empty<JsonElement>();

    public static IEnumerable<JsonProperty> Properties(this JsonElement e, string name) =>
        e.Member(name) is { ValueKind: JsonValueKind.Object } obj ? obj.EnumerateObject() : Enumerable.Empty<JsonProperty>();

    /// <summary>An RFC 3339 time (nanoseconds allowed); null for missing, empty or Go's zero time.</summary>
    public static DateTimeOffset? Time(this JsonElement e, string name) => ParseTime(e.StrOrNull(name));

    public static DateTimeOffset? ParseTime(string? s)
    {
        if (string.IsNullOrEmpty(s))
        {
            return null;
        }

        // .NET parses at most 7 fractional digits; Docker writes up to 9.
        s = LongFraction().Replace(s, m => m.Groups[1].Value);
        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return null;
        }

        return t.Year <= 1 ? null : t;
    }

    public static DateTimeOffset UnixSeconds(this JsonElement e, string name) => DateTimeOffset.FromUnixTimeSeconds(e.Long(name));

    [GeneratedRegex(@"(\.\d{7})\d+")]
    private static partial Regex LongFraction();

    // ---- builders ----

    public static JsonArray ToJsonArray(IEnumerable<string> items) => new(items.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());

    public static JsonObject ToJsonObject(IReadOnlyDictionary<string, string> map)
    {
        var o = new JsonObject();
        foreach (var (k, v) in map)
        {
            o[k] = v;
        }

        return o;
    }
}
