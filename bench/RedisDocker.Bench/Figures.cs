using System.Globalization;

namespace RedisDocker.Bench;

/// <summary>
/// Per-run values of every figure, printed at the end as `name: value` lines (medians of the
/// numeric values, like the baseline scripts), plus `name_raw: v1 v2 ...` for the main ones.
/// </summary>
public sealed class Figures
{
    private readonly List<string> _order = new();
    private readonly Dictionary<string, List<double>> _numbers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _texts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _raw = new(StringComparer.Ordinal);

    private void Touch(string name)
    {
        if (!_order.Contains(name)) _order.Add(name);
    }

    /// <summary>A measured value (ms or count); null records "not observed" (NA).</summary>
    public void Add(string name, double? value, bool raw = false)
    {
        Touch(name);
        if (raw) _raw.Add(name);
        if (!_numbers.TryGetValue(name, out var l)) _numbers[name] = l = new List<double>();
        if (value is double v) l.Add(v);
        else Text(name + "#na", "NA");
    }

    /// <summary>A non-numeric outcome (never, yes/no, a role...). Repeated values are kept per run.</summary>
    public void Text(string name, string value)
    {
        if (!name.EndsWith("#na", StringComparison.Ordinal)) Touch(name);
        if (!_texts.TryGetValue(name, out var l)) _texts[name] = l = new List<string>();
        l.Add(value);
    }

    public static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return null;
        var s = values.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : Math.Round((s[s.Length / 2 - 1] + s[s.Length / 2]) / 2, 1);
    }

    public static string Format(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);

    public IEnumerable<string> Lines()
    {
        foreach (var name in _order)
        {
            if (_numbers.TryGetValue(name, out var nums))
            {
                var m = Median(nums);
                yield return $"{name}: {(m is double d ? Format(d) : "NA")}";
                if (_raw.Contains(name))
                {
                    var na = _texts.TryGetValue(name + "#na", out var n) ? n.Count : 0;
                    yield return $"{RawName(name)}: {string.Join(" ", nums.Select(Format).Concat(Enumerable.Repeat("NA", na)))}";
                }
            }
            else if (_texts.TryGetValue(name, out var texts))
            {
                var distinct = texts.Distinct().ToList();
                yield return $"{name}: {(distinct.Count == 1 ? distinct[0] : string.Join(" ", texts))}";
            }
        }
    }

    /// <summary>foo_ms → foo_raw_ms (as the baseline names its raw lists).</summary>
    private static string RawName(string name) =>
        name.EndsWith("_ms", StringComparison.Ordinal) ? name[..^3] + "_raw_ms" : name + "_raw";
}
