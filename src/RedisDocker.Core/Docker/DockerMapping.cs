using System.Globalization;
using System.Text.RegularExpressions;

namespace RedisDocker.Core.Docker;

/// <summary>Small conversions from the library's models to ours (missing or null values read as empty).</summary>
internal static partial class DockerMapping
{
    public static IReadOnlyDictionary<string, string> Map(IDictionary<string, string>? map) =>
        map is null || map.Count == 0
            ? DockerEmpty.Map
            : map.ToDictionary(kv => kv.Key, kv => kv.Value ?? "", StringComparer.Ordinal).AsReadOnly();

    public static int Int(long n) => n > int.MaxValue ? int.MaxValue : n < int.MinValue ? int.MinValue : (int)n;

    /// <summary>The library's times are UTC (or unspecified, meaning UTC); Go's zero time stays the default.</summary>
    public static DateTimeOffset Offset(DateTime t) =>
        t.Year <= 1 ? default : new DateTimeOffset(t.Kind == DateTimeKind.Local ? t.ToUniversalTime()
            : DateTime.SpecifyKind(t, DateTimeKind.Utc));

    /// <summary>An RFC 3339 time (nanoseconds allowed); null for missing, empty or Go's zero time.</summary>
    public static DateTimeOffset? ParseTime(string? s)
    {
        if (string.IsNullOrEmpty(s))
        {
            return null;
        }

        // .NET parses at most 7 fractional digits; Docker writes up to 9.
        s = LongFraction().Replace(s, m => m.Groups[1].Value);
        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return null;
        }

        return t.Year <= 1 ? null : t;
    }

    [GeneratedRegex(@"(\.\d{7})\d+")]
    private static partial Regex LongFraction();
}
