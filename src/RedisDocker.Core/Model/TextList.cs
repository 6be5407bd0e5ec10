using System.Collections.ObjectModel;

namespace RedisDocker;

/// <summary>
/// A read-only list of strings that prints as "a,b,c": Export-Csv and string expansion show the
/// items, not System.String[]. ConvertTo-Json still writes a JSON array.
/// </summary>
public sealed class TextList : ReadOnlyCollection<string>
{
    public static new readonly TextList Empty = new(Array.Empty<string>());

    public TextList(IList<string> items) : base(items) { }

    public static TextList From(IEnumerable<string>? items) =>
        items switch { null => Empty, TextList t => t, _ => new TextList(items.ToArray()) };

    public override string ToString() => string.Join(",", this);
}

/// <summary>Docker labels that print as "key=value;key=value" (Export-Csv), not as the dictionary's type
/// name.</summary>
public sealed class LabelSet : ReadOnlyDictionary<string, string>
{
    public static new readonly LabelSet Empty = new(new Dictionary<string, string>());

    public LabelSet(IDictionary<string, string> labels) : base(labels) { }

    public static LabelSet From(IReadOnlyDictionary<string, string>? labels) =>
        labels switch
        {
            null => Empty,
            LabelSet l => l,
            _ => new LabelSet(labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv
                => kv.Value, StringComparer.Ordinal)),
        };

    public override string ToString() => string.Join(";", this.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv
        => $"{kv.Key}={kv.Value}"));
}
