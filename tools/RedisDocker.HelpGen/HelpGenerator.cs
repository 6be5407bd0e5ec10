using System.Text;

namespace RedisDocker.HelpGen;

/// <summary>A generated help file: its name inside the output folder and its content.</summary>
public sealed record GeneratedFile(string FileName, string Content);

/// <summary>
/// What New-ExternalHelp does for a docs folder: every "Verb-Noun.md" goes into the MAML file named by its
/// "external help file" front matter, every "about_*.md" becomes "about_*.help.txt".
/// </summary>
public static class HelpGenerator
{
    /// <summary>Encoding of the written files (UTF-8 without BOM, like PlatyPS' default).</summary>
    public static readonly Encoding FileEncoding = new UTF8Encoding(false);

    /// <summary>Parses all cmdlet pages of a docs folder, ordered by file name.</summary>
    /// <exception cref="FormatException">A page is invalid, or its '# Name' does not match its file name.</exception>
    public static IReadOnlyList<HelpDocument> LoadCommands(string docsDirectory)
    {
        var docs = new List<HelpDocument>();
        foreach (var path in CommandFiles(docsDirectory))
        {
            var doc = PlatyPsMarkdown.Parse(File.ReadAllText(path), path);
            var expected = Path.GetFileNameWithoutExtension(path);
            if (!string.Equals(doc.Name, expected, StringComparison.Ordinal))
            {
                throw new FormatException($"{path}: the page documents '{doc.Name}' but the file is named {expected}.md");
            }

            docs.Add(doc);
        }

        var duplicate = docs.GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FormatException($"{docsDirectory}: '{duplicate.Key}' is documented by more than one file");
        }

        return docs;
    }

    /// <summary>Generates the MAML and about files for a docs folder, in memory.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FormatException">A markdown file is invalid, or the folder has no cmdlet pages.</exception>
    public static IReadOnlyList<GeneratedFile> Generate(string docsDirectory)
    {
        if (!Directory.Exists(docsDirectory))
        {
            throw new DirectoryNotFoundException($"docs folder '{docsDirectory}' does not exist");
        }

        var docs = LoadCommands(docsDirectory);
        if (docs.Count == 0)
        {
            throw new FormatException($"{docsDirectory}: no cmdlet pages (Verb-Noun.md) found");
        }

        var files = docs
            .GroupBy(d => d.ExternalHelpFile, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => new GeneratedFile(g.First().ExternalHelpFile, MamlWriter.Write(g)))
            .ToList();

        foreach (var path in AboutFiles(docsDirectory))
        {
            var name = Path.GetFileNameWithoutExtension(path) + ".help.txt";
            files.Add(new GeneratedFile(name, AboutTopic.ToHelpText(File.ReadAllText(path), path)));
        }

        return files;
    }

    /// <summary>Writes the generated files into <paramref name="outDirectory"/> (created if needed).</summary>
    public static IReadOnlyList<string> Write(IEnumerable<GeneratedFile> files, string outDirectory)
    {
        Directory.CreateDirectory(outDirectory);
        var written = new List<string>();
        foreach (var file in files)
        {
            var path = Path.Combine(outDirectory, file.FileName);
            File.WriteAllText(path, file.Content, FileEncoding);
            written.Add(path);
        }

        return written;
    }

    /// <summary>
    /// Compares generated files with the ones on disk (ignoring a BOM and CRLF/LF differences, so a
    /// checkout with autocrlf still passes). Returns the paths that are missing or out of date.
    /// </summary>
    public static IReadOnlyList<string> FindOutdated(IEnumerable<GeneratedFile> files, string outDirectory)
    {
        var outdated = new List<string>();
        foreach (var file in files)
        {
            var path = Path.Combine(outDirectory, file.FileName);
            if (!File.Exists(path) || Normalize(File.ReadAllText(path)) != Normalize(file.Content))
            {
                outdated.Add(path);
            }
        }

        return outdated;
    }

    private static string Normalize(string text) => text.TrimStart('\uFEFF').Replace("\r\n", "\n");

    private static IEnumerable<string> CommandFiles(string docsDirectory) =>
        Directory.GetFiles(docsDirectory, "*-*.md")
            .Where(p => !Path.GetFileName(p).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
            .OrderBy(p => Path.GetFileName(p), StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<string> AboutFiles(string docsDirectory) =>
        Directory.GetFiles(docsDirectory, "about_*.md")
            .OrderBy(p => Path.GetFileName(p), StringComparer.OrdinalIgnoreCase);
}
