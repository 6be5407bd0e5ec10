using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace RedisDocker.HelpGen;

/// <summary>A command:syntaxItem as PlatyPS builds it: one parameter set and its parameters in position order.</summary>
public sealed record MamlSyntaxItem(string ParameterSetName, IReadOnlyList<HelpParameter> Parameters);

/// <summary>
/// Writes MAML (the dll-Help.xml PowerShell's Get-Help reads) with the element layout of PlatyPS 0.14's
/// MamlRenderer, so the file matches what New-ExternalHelp would produce from the same markdown.
/// </summary>
public static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    public static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

    /// <summary>Link text PlatyPS uses for the "online version" front matter URL.</summary>
    public const string OnlineVersionLinkText = "Online Version:";

    private static readonly Regex UriScheme = new(@"^[A-Za-z][A-Za-z0-9+.\-]*:", RegexOptions.CultureInvariant);

    /// <summary>Writes one helpItems document with a command:command per document, ordered by command name.</summary>
    public static string Write(IEnumerable<HelpDocument> docs)
    {
        ArgumentNullException.ThrowIfNull(docs);
        var ordered = docs
            .OrderBy(d => d.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(d => d.Name, StringComparer.Ordinal)
            .ToList();
        var duplicate = ordered
            .GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase)
            .FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"command '{duplicate.Key}' is documented more than once", nameof(docs));
        }

        var document = new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems",
                new XAttribute("schema", "maml"),
                ordered.Select(CommandElement)));

        var settings = new XmlWriterSettings
        {
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Replace,
            NamespaceHandling = NamespaceHandling.OmitDuplicates,
        };
        using var text = new Utf8StringWriter();
        using (var writer = XmlWriter.Create(text, settings))
        {
            document.Save(writer);
        }

        return text.ToString() + "\n";
    }

    /// <summary>
    /// The syntax PlatyPS renders into MAML. It is derived from the parameters' yaml metadata (not from the
    /// SYNTAX code blocks): parameter sets in order of first mention, "(All)" parameters added to every set,
    /// parameters ordered by position (stable).
    /// </summary>
    public static IReadOnlyList<MamlSyntaxItem> ComputeSyntax(HelpDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        const string all = "(All)";
        var maps = new List<OrderedDictionary<string, HelpParameter>>();
        foreach (var parameter in doc.Parameters)
        {
            var map = new OrderedDictionary<string, HelpParameter>(StringComparer.OrdinalIgnoreCase);
            foreach (var block in parameter.AllBlocks)
            {
                foreach (var set in block.ParameterSets)
                {
                    map[set] = block;
                }
            }

            maps.Add(map);
        }

        var setNames = new List<string>();
        foreach (var name in maps.SelectMany(m => m.Keys))
        {
            if (!setNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                setNames.Add(name);
            }
        }

        if (setNames.Count == 0)
        {
            return [new MamlSyntaxItem("", [])];
        }

        var items = new List<MamlSyntaxItem>();
        foreach (var setName in setNames)
        {
            if (setName == all && setNames.Count > 1)
            {
                continue;
            }

            var parameters = new List<HelpParameter>();
            foreach (var map in maps)
            {
                if (map.TryGetValue(setName, out var block))
                {
                    parameters.Add(block);
                }
                else if (map.Count == 1 && map.GetAt(0).Key == all)
                {
                    parameters.Add(map.GetAt(0).Value);
                }
            }

            items.Add(new MamlSyntaxItem(setName, parameters.OrderBy(p => p.Position, StringComparer.OrdinalIgnoreCase).ToList()));
        }

        return items;
    }

    /// <summary>The links PlatyPS writes: the front matter "online version" first (unless already first), then RELATED LINKS.</summary>
    public static IReadOnlyList<HelpLink> EffectiveLinks(HelpDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var links = doc.Links.ToList();
        if (doc.FrontMatter.TryGetValue("online version", out var online) && !string.IsNullOrWhiteSpace(online) &&
            (links.Count == 0 || !string.Equals(links[0].Uri, online, StringComparison.OrdinalIgnoreCase)))
        {
            links.Insert(0, new HelpLink(OnlineVersionLinkText, online));
        }

        return links;
    }

    /// <summary>PlatyPS' example title: centered between dashes up to 64 characters.</summary>
    public static string PadExampleTitle(string title)
    {
        if (string.IsNullOrWhiteSpace(title) || title.Length >= 62)
        {
            return title;
        }

        var dashes = new string('-', (64 - title.Length - 2) / 2);
        return $"{dashes} {title} {dashes}";
    }

    /// <summary>Link target as written to maml:uri: kept when it is an absolute URI, otherwise empty (Get-Help rejects relative ones).</summary>
    public static string MamlUri(string uri) =>
        UriScheme.IsMatch(uri) && Uri.TryCreate(uri, UriKind.Absolute, out _) ? uri : "";

    private static XElement CommandElement(HelpDocument doc) =>
        new(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", doc.Name),
                new XElement(Command + "verb", doc.Verb),
                new XElement(Command + "noun", doc.Noun),
                new XElement(Maml + "description", Paragraphs(doc.Synopsis))),
            new XElement(Maml + "description", Paragraphs(doc.Description)),
            new XElement(Command + "syntax",
                ComputeSyntax(doc).Select(item => new XElement(Command + "syntaxItem",
                    new XElement(Maml + "name", doc.Name),
                    item.Parameters.Select(p => ParameterElement(p, inSyntax: true))))),
            new XElement(Command + "parameters", doc.Parameters.Select(p => ParameterElement(p, inSyntax: false))),
            new XElement(Command + "inputTypes", doc.Inputs.Select(i => TypeElement("inputType", i))),
            new XElement(Command + "returnValues", doc.Outputs.Select(o => TypeElement("returnValue", o))),
            new XElement(Maml + "alertSet",
                new XElement(Maml + "alert", Paragraphs(doc.Notes))),
            new XElement(Command + "examples", doc.Examples.Select(ExampleElement)),
            new XElement(Command + "relatedLinks", EffectiveLinks(doc).Select(LinkElement)));

    private static XElement ParameterElement(HelpParameter parameter, bool inSyntax)
    {
        var mamlType = parameter.IsSwitch ? "SwitchParameter" : parameter.Type;
        var isSwitch = mamlType is "SwitchParameter" or "System.Management.Automation.SwitchParameter";
        return new XElement(Command + "parameter",
            new XAttribute("required", parameter.Required),
            new XAttribute("variableLength", true),
            new XAttribute("globbing", parameter.AcceptWildcard),
            new XAttribute("pipelineInput", parameter.PipelineInput),
            new XAttribute("position", parameter.Position.ToLowerInvariant()),
            new XAttribute("aliases", parameter.Aliases.Count > 0 ? string.Join(", ", parameter.Aliases) : "none"),
            new XElement(Maml + "name", parameter.Name),
            new XElement(Maml + "description", Paragraphs(parameter.Description)),
            inSyntax && parameter.AcceptedValues.Count > 0
                ? new XElement(Command + "parameterValueGroup",
                    parameter.AcceptedValues.Select(value => new XElement(Command + "parameterValue",
                        new XAttribute("required", "false"),
                        new XAttribute(Command + "variableLength", "false"), // sic: PlatyPS writes it with the prefix
                        value)))
                : null,
            // Switches get no value in syntax, so Get-Help shows "[-Force]" rather than "[-Force <SwitchParameter>]".
            !inSyntax || !isSwitch
                ? new XElement(Command + "parameterValue",
                    new XAttribute("required", !parameter.IsSwitch),
                    new XAttribute("variableLength", false),
                    mamlType)
                : null,
            new XElement(Dev + "type",
                new XElement(Maml + "name", mamlType),
                new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue",
                isSwitch && (parameter.DefaultValue.Length == 0 || parameter.DefaultValue == "None") ? "False" : parameter.DefaultValue));
    }

    private static XElement TypeElement(string elementName, HelpTypeItem item) =>
        new(Command + elementName,
            new XElement(Dev + "type",
                new XElement(Maml + "name", item.TypeName)),
            new XElement(Maml + "description", Paragraphs(item.Description)));

    private static XElement ExampleElement(HelpExample example) =>
        new(Command + "example",
            new XElement(Maml + "title", PadExampleTitle(example.Title)),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    private static XElement LinkElement(HelpLink link) =>
        new(Maml + "navigationLink",
            new XElement(Maml + "linkText", link.Text),
            new XElement(Maml + "uri", MamlUri(link.Uri)));

    /// <summary>One maml:para per paragraph (paragraphs are separated by a blank line in the model).</summary>
    private static IEnumerable<XElement> Paragraphs(string text) =>
        text.Split("\n\n").Select(para => new XElement(Maml + "para", para));

    private sealed class Utf8StringWriter : StringWriter
    {
        public Utf8StringWriter()
            : base(System.Globalization.CultureInfo.InvariantCulture)
        {
        }

        public override Encoding Encoding { get; } = new UTF8Encoding(false);
    }
}
