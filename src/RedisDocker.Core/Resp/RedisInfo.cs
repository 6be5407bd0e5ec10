namespace RedisDocker.Core.Resp;

/// <summary>Parses the text returned by the INFO command.</summary>
public static class RedisInfo
{
    /// <summary>
    /// All <c>key:value</c> lines of every section in one dictionary (case-insensitive keys; a later duplicate wins).
    /// "# Section" header lines, blank lines and lines without ':' are ignored; values keep everything after the first
    /// ':'.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(string infoText)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (_, key, value) in Lines(infoText))
        {
            result[key] = value;
        }
        return result;
    }

    /// <summary>
    /// The <c>key:value</c> lines grouped by section name (the text after "# "; lines before any header go to "").
    /// Section names and keys are case-insensitive.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ParseSections(string infoText)
    {
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (section, key, value) in Lines(infoText))
        {
            if (!sections.TryGetValue(section, out var entries))
            {
                entries = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                sections.Add(section, entries);
            }
            entries[key] = value;
        }
        return sections.ToDictionary(
            pair => pair.Key,
            pair => (IReadOnlyDictionary<string, string>)pair.Value,
            StringComparer.OrdinalIgnoreCase);
    }

    private static IEnumerable<(string Section, string Key, string Value)> Lines(string infoText)
    {
        ArgumentNullException.ThrowIfNull(infoText);
        string section = string.Empty;
        foreach (var raw in infoText.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            if (line[0] == '#')
            {
                section = line.TrimStart('#').Trim();
                continue;
            }
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }
            yield return (section, line[..colon], line[(colon + 1)..]);
        }
    }
}
