namespace RedisDocker.HelpGen;

/// <summary>Command line of the generator (see <see cref="Usage"/>).</summary>
public static class HelpGenCli
{
    public const int Success = 0;

    /// <summary>--check found a missing or out-of-date file.</summary>
    public const int OutOfDate = 1;

    /// <summary>Bad arguments, a missing docs folder or invalid markdown.</summary>
    public const int Error = 2;

    public const string Usage =
        """
        Usage: RedisDocker.HelpGen --docs <folder> --out <folder> [--check]

        Builds PowerShell help from PlatyPS (schema 2.0.0) markdown, the way PlatyPS' New-ExternalHelp does:
          <docs>/Verb-Noun.md   -> <out>/<external help file> (e.g. RedisDocker.dll-Help.xml, MAML)
          <docs>/about_*.md     -> <out>/about_*.help.txt

          --docs <folder>  folder with the markdown files (e.g. docs/help)
          --out <folder>   output folder (e.g. en-US)
          --check          write nothing; exit 1 if a generated file is missing or differs from the one on disk

        Exit codes: 0 success, 1 help out of date (--check), 2 usage or markdown error.
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? docs = null;
        string? output = null;
        var check = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--docs" when i + 1 < args.Length:
                    docs = args[++i];
                    break;
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "--check":
                    check = true;
                    break;
                case "-h" or "--help" or "-?":
                    stdout.WriteLine(Usage);
                    return Success;
                default:
                    stderr.WriteLine($"RedisDocker.HelpGen: unexpected argument '{args[i]}'");
                    stderr.WriteLine(Usage);
                    return Error;
            }
        }

        if (docs is null || output is null)
        {
            stderr.WriteLine("RedisDocker.HelpGen: --docs and --out are required");
            stderr.WriteLine(Usage);
            return Error;
        }

        IReadOnlyList<GeneratedFile> files;
        try
        {
            files = HelpGenerator.Generate(docs);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"RedisDocker.HelpGen: error: {e.Message}");
            return Error;
        }

        if (check)
        {
            var outdated = HelpGenerator.FindOutdated(files, output);
            foreach (var path in outdated)
            {
                stderr.WriteLine(File.Exists(path)
                    ? $"RedisDocker.HelpGen: {path} is out of date with the markdown in {docs}"
                    : $"RedisDocker.HelpGen: {path} is missing");
            }

            if (outdated.Count > 0)
            {
                stderr.WriteLine($"Regenerate it with: dotnet run --project tools/RedisDocker.HelpGen -- --docs {docs} --out {output}");
                return OutOfDate;
            }

            stdout.WriteLine($"RedisDocker.HelpGen: {files.Count} help file(s) in {output} are up to date");
            return Success;
        }

        try
        {
            foreach (var path in HelpGenerator.Write(files, output))
            {
                stdout.WriteLine($"RedisDocker.HelpGen: wrote {path}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"RedisDocker.HelpGen: error: {e.Message}");
            return Error;
        }

        return Success;
    }
}
