using System.Text;
using System.Text.RegularExpressions;

namespace RedisDocker.HelpGen;

/// <summary>One command invocation found in an example.</summary>
/// <param name="Name">Command name as written (e.g. "New-RedisNode", "Where-Object", "%").</param>
/// <param name="Parameters">Parameter names used, without the leading '-' ("-Confirm:$false" gives "Confirm"), in order.</param>
/// <param name="PipelinePosition">0 for the first element of its pipeline; a command after '|' has 1, 2, ...
/// (an expression such as "$nodes | Remove-RedisNode" occupies position 0).</param>
/// <param name="PipelineIndex">Which pipeline (statement) of the example, counting every non-empty statement from 0.</param>
public sealed record PsCommandUse(string Name, IReadOnlyList<string> Parameters, int PipelinePosition, int PipelineIndex);

/// <summary>
/// A small PowerShell tokenizer for help examples. It is not a full parser; it understands what help
/// examples use: prompts ("PS C:\&gt; ", "PS&gt; ", "&gt;&gt; ") and output lines, comments, all string forms
/// (including here-strings), script blocks, (sub)expressions, hashtables and arrays (whose contents are
/// skipped), variables and member access, assignments, statements separated by ';' or new lines, pipelines,
/// line continuations (a trailing backtick, '|' or ',', or a leading '|'), '&amp;&amp;'/'||' chains,
/// redirections, splatting, "--" and negative numbers ("-1" is a value, not a parameter).
/// </summary>
public static class PsExampleTokenizer
{
    private static readonly Regex Prompt = new(@"^[ \t]*(?:PS(?:[ \t][^>\n]*)?|[A-Za-z]:\\[^>\n]*)>[ \t]?", RegexOptions.CultureInvariant);
    private static readonly Regex ContinuationPrompt = new(@"^[ \t]*>>[ \t]?", RegexOptions.CultureInvariant);

    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "begin", "break", "catch", "class", "configuration", "continue", "data", "do", "dynamicparam", "else",
        "elseif", "end", "enum", "exit", "filter", "finally", "for", "foreach", "function", "if", "param",
        "process", "return", "switch", "throw", "trap", "try", "until", "using", "while", "workflow",
    };

    private static readonly HashSet<string> PowerShellLanguages = new(StringComparer.OrdinalIgnoreCase)
    {
        "powershell", "pwsh", "posh", "ps", "ps1", "psm1",
    };

    /// <summary>Finds the commands, their parameters and pipeline positions used in example code.</summary>
    public static IReadOnlyList<PsCommandUse> Parse(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var tokens = Lexer.Lex(StripPrompts(code)).Tokens;
        return Analyze(Statements(tokens));
    }

    /// <summary>True when a line of the code starts with a PowerShell prompt ("PS C:\&gt;", "PS&gt;", "C:\PS&gt;").</summary>
    public static bool HasPrompt(string code) => SplitLines(code).Any(l => Prompt.IsMatch(l));

    /// <summary>True for code block languages that hold PowerShell (powershell, pwsh, ps1, ...).</summary>
    public static bool IsPowerShellLanguage(string language) => PowerShellLanguages.Contains(language.Trim());

    /// <summary>
    /// Returns the script typed at the prompts: the prompt text is removed, and when the code has prompts,
    /// lines without one are treated as command output (and dropped) unless they continue an unfinished
    /// command (open bracket or string, trailing '|', ',' or backtick, a leading '|', or a "&gt;&gt;" prompt).
    /// Code without any prompt is returned unchanged (with "\n" line breaks).
    /// </summary>
    public static string StripPrompts(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var lines = SplitLines(code);
        if (!lines.Any(l => Prompt.IsMatch(l)))
        {
            return string.Join("\n", lines);
        }

        var script = new List<string>();
        var hasCode = false;
        foreach (var line in lines)
        {
            var prompt = Prompt.Match(line);
            if (prompt.Success)
            {
                script.Add(line[prompt.Length..]);
                hasCode = true;
                continue;
            }

            var continuation = ContinuationPrompt.Match(line);
            if (hasCode && continuation.Success)
            {
                script.Add(line[continuation.Length..]);
                continue;
            }

            if (hasCode && (line.TrimStart().StartsWith('|') || Lexer.Lex(string.Join("\n", script)).Incomplete))
            {
                script.Add(line);
                continue;
            }

            // Output: keep an empty line so statements stay separated.
            script.Add("");
            hasCode = false;
        }

        while (script.Count > 0 && script[^1].Length == 0)
        {
            script.RemoveAt(script.Count - 1);
        }

        return string.Join("\n", script);
    }

    private static string[] SplitLines(string code) => code.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');

    // ---- statements ----------------------------------------------------------------------------

    /// <summary>Groups top-level tokens into statements, and statements into pipeline elements.</summary>
    private static List<List<List<Token>>> Statements(List<Token> tokens)
    {
        var statements = new List<List<List<Token>>>();
        var statement = new List<List<Token>>();
        var element = new List<Token>();
        var depth = 0;
        var continues = false; // the line cannot end here (after '|', ',', '=', '&&', '||')

        void EndElement()
        {
            statement.Add(element);
            element = [];
        }

        void EndStatement()
        {
            EndElement();
            if (statement.Any(e => e.Count > 0))
            {
                statements.Add(statement);
            }

            statement = [];
        }

        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (depth > 0)
            {
                if (token.Kind == TokenKind.Open)
                {
                    depth++;
                }
                else if (token.Kind == TokenKind.Close)
                {
                    depth--;
                }

                continue;
            }

            switch (token.Kind)
            {
                case TokenKind.Open:
                    depth = 1;
                    element.Add(token);
                    continues = false;
                    break;
                case TokenKind.Close:
                    break; // unbalanced: ignore
                case TokenKind.NewLine:
                    if (!continues && NextSignificant(tokens, i)?.Kind != TokenKind.Pipe)
                    {
                        EndStatement();
                    }

                    break;
                case TokenKind.Semicolon:
                    EndStatement();
                    continues = false;
                    break;
                case TokenKind.AndAnd or TokenKind.OrOr:
                    EndStatement();
                    continues = true;
                    break;
                case TokenKind.Pipe:
                    EndElement();
                    continues = true;
                    break;
                case TokenKind.Comma or TokenKind.Assign:
                    element.Add(token);
                    continues = true;
                    break;
                default:
                    element.Add(token);
                    continues = false;
                    break;
            }
        }

        EndStatement();
        return statements;
    }

    private static Token? NextSignificant(List<Token> tokens, int index)
    {
        for (var i = index + 1; i < tokens.Count; i++)
        {
            if (tokens[i].Kind != TokenKind.NewLine)
            {
                return tokens[i];
            }
        }

        return null;
    }

    private static List<PsCommandUse> Analyze(List<List<List<Token>>> statements)
    {
        var uses = new List<PsCommandUse>();
        for (var pipelineIndex = 0; pipelineIndex < statements.Count; pipelineIndex++)
        {
            var elements = statements[pipelineIndex];

            // A leading '|' continuing the previous line leaves an empty first element; drop it.
            if (elements.Count > 1 && elements[0].Count == 0)
            {
                elements = elements.Skip(1).ToList();
            }

            for (var position = 0; position < elements.Count; position++)
            {
                var use = CommandUse(elements[position], position, pipelineIndex);
                if (use is not null)
                {
                    uses.Add(use);
                }
            }
        }

        return uses;
    }

    private static PsCommandUse? CommandUse(List<Token> element, int position, int pipelineIndex)
    {
        var tokens = element;
        if (tokens.Count == 0)
        {
            return null;
        }

        // "$x = Get-Thing ..." / "[int]$n = ..." / "$a = $b = ...": the command follows the last '='.
        if (tokens[0].Kind is not (TokenKind.Word or TokenKind.Invoke))
        {
            var assign = tokens.FindLastIndex(t => t.Kind == TokenKind.Assign);
            if (assign < 0)
            {
                return null; // an expression
            }

            tokens = tokens.Skip(assign + 1).ToList();
            if (tokens.Count == 0)
            {
                return null;
            }
        }

        string name;
        int argumentsStart;
        if (tokens[0].Kind == TokenKind.Word)
        {
            if (position == 0 && Keywords.Contains(tokens[0].Text))
            {
                return null; // if/foreach/function/... statement
            }

            name = tokens[0].Text;
            argumentsStart = 1;
        }
        else if (tokens[0].Kind == TokenKind.Invoke && tokens.Count > 1 && tokens[1].Kind is TokenKind.Word or TokenKind.String)
        {
            name = tokens[1].Text; // & 'Get-Thing' / . .\script.ps1
            argumentsStart = 2;
        }
        else
        {
            return null;
        }

        var parameters = new List<string>();
        var valueFollows = false;
        for (var i = argumentsStart; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (valueFollows)
            {
                valueFollows = false; // the argument of "-Name:value"
                continue;
            }

            if (token.Kind == TokenKind.Word && token.Text == "--")
            {
                break; // everything after "--" is an argument
            }

            if (token.Kind == TokenKind.Parameter)
            {
                parameters.Add(token.Text);
                valueFollows = token.ColonArgument;
            }
            else if (token.Kind == TokenKind.Redirect && !token.Text.Contains('&'))
            {
                valueFollows = true; // "> file", "2> $null"
            }
        }

        return new PsCommandUse(name, parameters, position, pipelineIndex);
    }

    // ---- lexer ---------------------------------------------------------------------------------

    internal enum TokenKind
    {
        Word,
        Parameter,
        Number,
        String,
        Variable,
        Splat,
        Open,
        Close,
        Pipe,
        Semicolon,
        NewLine,
        Comma,
        Assign,
        AndAnd,
        OrOr,
        Invoke,
        Redirect,
    }

    /// <summary>A token; for strings <see cref="Text"/> is the value, for parameters the name without '-'.</summary>
    internal sealed record Token(TokenKind Kind, string Text, bool ColonArgument = false);

    internal sealed class Lexer
    {
        private static readonly Regex NumberPattern = new(
            @"^-?(0x[0-9a-f]+|(\d+\.?\d*|\.\d+)(e[+-]?\d+)?)(u|l|ul|lu|d|n|y|s|us|uy)?(kb|mb|gb|tb|pb)?$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private readonly string _s;
        private int _i;
        private readonly List<Token> _tokens = [];
        private bool _unterminated;
        private bool _trailingContinuation;
        private int _depth;

        private Lexer(string text) => _s = text;

        public List<Token> Tokens => _tokens;

        /// <summary>True when the text ends inside a string, comment or bracket, or with a line continuation.</summary>
        public bool Incomplete =>
            _unterminated || _depth > 0 || _trailingContinuation ||
            _tokens.LastOrDefault(t => t.Kind != TokenKind.NewLine)?.Kind is
                TokenKind.Pipe or TokenKind.Comma or TokenKind.Assign or TokenKind.AndAnd or TokenKind.OrOr;

        public static Lexer Lex(string text)
        {
            var lexer = new Lexer(text);
            lexer.Run();
            return lexer;
        }

        private char At(int index) => index < _s.Length ? _s[index] : '\0';

        private static bool IsDash(char c) => c is '-' or '\u2013' or '\u2014' or '\u2015';

        private static bool IsSingleQuote(char c) => c is '\'' or '\u2018' or '\u2019' or '\u201A' or '\u201B';

        private static bool IsDoubleQuote(char c) => c is '"' or '\u201C' or '\u201D' or '\u201E';

        private static bool IsSpace(char c) => c is ' ' or '\t' or '\f' or '\v' or '\u00A0';

        /// <summary>Characters that end a bare word (argument-mode token).</summary>
        private static bool EndsWord(char c) =>
            c is '\0' or '\n' or '\r' or '|' or ';' or '(' or ')' or '{' or '}' or ',' or '>' or '<' || IsSpace(c);

        private void Add(TokenKind kind, string text, bool colon = false) => _tokens.Add(new Token(kind, text, colon));

        private void Run()
        {
            while (_i < _s.Length)
            {
                Step();
            }
        }

        /// <summary>Lexes one token (or skips whitespace or a comment).</summary>
        private void Step()
        {
            {
                var c = _s[_i];
                var next = At(_i + 1);
                if (IsSpace(c) || c == '\r')
                {
                    _i++;
                }
                else if (c == '\n')
                {
                    Add(TokenKind.NewLine, "\n");
                    _i++;
                }
                else if (c == '`' && IsLineContinuation(_i + 1, out var after))
                {
                    _i = after;
                    _trailingContinuation = _i >= _s.Length;
                }
                else if (c == '#')
                {
                    while (_i < _s.Length && _s[_i] != '\n')
                    {
                        _i++;
                    }
                }
                else if (c == '<' && next == '#')
                {
                    var end = _s.IndexOf("#>", _i + 2, StringComparison.Ordinal);
                    _unterminated |= end < 0;
                    _i = end < 0 ? _s.Length : end + 2;
                }
                else if (IsSingleQuote(c) || IsDoubleQuote(c))
                {
                    Add(TokenKind.String, ReadString());
                }
                else if (c == '@' && (IsSingleQuote(next) || IsDoubleQuote(next)) && IsHereStringStart(_i + 2))
                {
                    Add(TokenKind.String, ReadHereString());
                }
                else if (c == '@' && next is '(' or '{')
                {
                    Open(2, "@" + next);
                }
                else if (c == '@' && (char.IsLetterOrDigit(next) || next == '_'))
                {
                    _i++;
                    Add(TokenKind.Splat, ReadWhile(ch => char.IsLetterOrDigit(ch) || ch == '_'));
                }
                else if (c == '$' && next == '(')
                {
                    Open(2, "$(");
                }
                else if (c == '$')
                {
                    Add(TokenKind.Variable, ReadVariable());
                }
                else if (c is '(' or '{' or '[')
                {
                    Open(1, c.ToString());
                }
                else if (c is ')' or '}' or ']')
                {
                    _depth = Math.Max(0, _depth - 1);
                    Add(TokenKind.Close, c.ToString());
                    _i++;
                }
                else if (c == '|')
                {
                    var orOr = next == '|';
                    Add(orOr ? TokenKind.OrOr : TokenKind.Pipe, orOr ? "||" : "|");
                    _i += orOr ? 2 : 1;
                }
                else if (c == '&')
                {
                    var andAnd = next == '&';
                    Add(andAnd ? TokenKind.AndAnd : TokenKind.Invoke, andAnd ? "&&" : "&");
                    _i += andAnd ? 2 : 1;
                }
                else if (c == ';')
                {
                    Add(TokenKind.Semicolon, ";");
                    _i++;
                }
                else if (c == ',')
                {
                    Add(TokenKind.Comma, ",");
                    _i++;
                }
                else if (c == '=' || (c is '+' or '*' or '/' or '%' && next == '=') || (IsDash(c) && next == '=') ||
                         (c == '?' && next == '?' && At(_i + 2) == '='))
                {
                    var length = c == '=' ? 1 : c == '?' ? 3 : 2;
                    Add(TokenKind.Assign, _s.Substring(_i, length));
                    _i += length;
                }
                else if (IsRedirection(out var redirectLength))
                {
                    Add(TokenKind.Redirect, _s.Substring(_i, redirectLength));
                    _i += redirectLength;
                }
                else if (c == '.' && (IsSpace(next) || next == '\0'))
                {
                    Add(TokenKind.Invoke, ".");
                    _i++;
                }
                else if (IsDash(c) && (char.IsLetter(next) || next is '_' or '?'))
                {
                    ReadParameter();
                }
                else
                {
                    var word = ReadWord();
                    Add(NumberPattern.IsMatch(word) ? TokenKind.Number : TokenKind.Word, word);
                }
            }
        }

        private void Open(int length, string text)
        {
            _depth++;
            Add(TokenKind.Open, text);
            _i += length;
        }

        /// <summary>A backtick followed by optional spaces and a line break (or the end) continues the line.</summary>
        private bool IsLineContinuation(int index, out int after)
        {
            while (index < _s.Length && (IsSpace(_s[index]) || _s[index] == '\r'))
            {
                index++;
            }

            after = index < _s.Length ? index + 1 : index;
            return index >= _s.Length || _s[index] == '\n';
        }

        private bool IsHereStringStart(int index)
        {
            while (index < _s.Length && (IsSpace(_s[index]) || _s[index] == '\r'))
            {
                index++;
            }

            return index < _s.Length && _s[index] == '\n';
        }

        private bool IsRedirection(out int length)
        {
            var index = _i;
            if (At(index) is '*' or (>= '1' and <= '6') && At(index + 1) == '>')
            {
                index++;
            }

            if (At(index) != '>')
            {
                length = 0;
                return false;
            }

            index++;
            if (At(index) == '>')
            {
                index++;
            }
            else if (At(index) == '&' && char.IsDigit(At(index + 1)))
            {
                index += 2;
            }

            length = index - _i;
            return true;
        }

        private string ReadWhile(Func<char, bool> predicate)
        {
            var start = _i;
            while (_i < _s.Length && predicate(_s[_i]))
            {
                _i++;
            }

            return _s[start.._i];
        }

        private void ReadParameter()
        {
            _i++; // the dash
            var name = ReadWhile(ch => char.IsLetterOrDigit(ch) || ch is '_' or '?');
            var colon = false;
            if (At(_i) == ':')
            {
                colon = true;
                _i++;
            }
            else
            {
                // "-Name=x" or "-p.q": the rest belongs to the same (unusual) token.
                ReadWordTail(new StringBuilder());
            }

            Add(TokenKind.Parameter, name, colon);
        }

        private string ReadVariable()
        {
            var start = _i;
            _i++; // '$'
            if (At(_i) == '{')
            {
                var end = _s.IndexOf('}', _i);
                _unterminated |= end < 0;
                _i = end < 0 ? _s.Length : end + 1;
            }
            else if (At(_i) is '$' or '?' or '^')
            {
                _i++;
            }
            else
            {
                ReadWhile(ch => char.IsLetterOrDigit(ch) || ch is '_' or ':');
            }

            // Member access: $x.Name.Other (method calls and indexes are lexed as groups).
            while (At(_i) == '.' && (char.IsLetter(At(_i + 1)) || At(_i + 1) == '_'))
            {
                _i++;
                ReadWhile(ch => char.IsLetterOrDigit(ch) || ch == '_');
            }

            return _s[start.._i];
        }

        private string ReadWord()
        {
            var sb = new StringBuilder();
            ReadWordTail(sb);
            if (sb.Length == 0)
            {
                // A lone character that cannot start anything else (e.g. '<'): consume it.
                sb.Append(_s[_i]);
                _i++;
            }

            return sb.ToString();
        }

        /// <summary>Reads a generic token: stops at whitespace and operators, handles escapes and embedded strings.</summary>
        private void ReadWordTail(StringBuilder sb)
        {
            while (_i < _s.Length && !EndsWord(_s[_i]))
            {
                var c = _s[_i];
                if (c == '`')
                {
                    if (IsLineContinuation(_i + 1, out _))
                    {
                        return;
                    }

                    sb.Append(At(_i + 1));
                    _i += 2;
                }
                else if (IsSingleQuote(c) || IsDoubleQuote(c))
                {
                    sb.Append(ReadString());
                }
                else if (c == '$' && At(_i + 1) == '(')
                {
                    var start = _i;
                    SkipSubexpression(_i + 2);
                    sb.Append(_s[start.._i]);
                }
                else
                {
                    sb.Append(c);
                    _i++;
                }
            }
        }

        /// <summary>Reads a quoted string starting at the quote; returns its (unescaped) value.</summary>
        private string ReadString()
        {
            var single = IsSingleQuote(_s[_i]);
            _i++;
            var sb = new StringBuilder();
            while (_i < _s.Length)
            {
                var c = _s[_i];
                if (single)
                {
                    if (IsSingleQuote(c))
                    {
                        if (IsSingleQuote(At(_i + 1)))
                        {
                            sb.Append(c);
                            _i += 2;
                            continue;
                        }

                        _i++;
                        return sb.ToString();
                    }
                }
                else if (c == '`')
                {
                    sb.Append(At(_i + 1));
                    _i += 2;
                    continue;
                }
                else if (IsDoubleQuote(c))
                {
                    if (IsDoubleQuote(At(_i + 1)))
                    {
                        sb.Append(c);
                        _i += 2;
                        continue;
                    }

                    _i++;
                    return sb.ToString();
                }
                else if (c == '$' && At(_i + 1) == '(')
                {
                    var start = _i;
                    SkipSubexpression(_i + 2);
                    sb.Append(_s[start.._i]);
                    continue;
                }

                sb.Append(c);
                _i++;
            }

            _unterminated = true;
            return sb.ToString();
        }

        /// <summary>Reads a here-string (@' ... '@ or @" ... "@, terminator at the start of a line).</summary>
        private string ReadHereString()
        {
            var single = IsSingleQuote(_s[_i + 1]);
            var bodyStart = _s.IndexOf('\n', _i) + 1;
            var index = bodyStart;
            while (index < _s.Length)
            {
                var lineEnd = _s.IndexOf('\n', index);
                var line = lineEnd < 0 ? _s[index..] : _s[index..lineEnd];
                var trimmed = line.TrimStart();
                if (trimmed.Length >= 2 && trimmed[1] == '@' &&
                    (single ? IsSingleQuote(trimmed[0]) : IsDoubleQuote(trimmed[0])))
                {
                    _i = index + (line.Length - trimmed.Length) + 2;
                    return _s[bodyStart..Math.Max(bodyStart, index - 1)];
                }

                if (lineEnd < 0)
                {
                    break;
                }

                index = lineEnd + 1;
            }

            _unterminated = true;
            _i = _s.Length;
            return _s[bodyStart..];
        }

        /// <summary>Skips a $( ... ) whose body starts at <paramref name="index"/>, honouring nested strings and groups.</summary>
        private void SkipSubexpression(int index)
        {
            var inner = new Lexer(_s) { _i = index, _depth = 1 };
            while (inner._i < _s.Length && inner._depth > 0)
            {
                inner.Step();
            }

            _unterminated |= inner._depth > 0 || inner._unterminated;
            _i = inner._i;
        }
    }
}
