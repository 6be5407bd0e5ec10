using System.Security.Cryptography;

namespace RedisDocker.Core;

/// <summary>Generated passwords and redaction of secrets from text.</summary>
public static class Secrets
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    /// <summary>A random password of letters and digits (no quoting needed in redis.conf or CLI).</summary>
    public static string GeneratePassword(int length = 32)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return new string(chars);
    }

    /// <summary>Replaces every occurrence of the secret in the text with ********.</summary>
    public static string Redact(string text, string? secret) =>
        string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(text) ? text
            : text.Replace(secret, "********", StringComparison.Ordinal);
}
