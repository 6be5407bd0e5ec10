using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class SecretsTests
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    [Fact]
    public void GeneratePassword_DefaultLength32()
    {
        Assert.Equal(32, Secrets.GeneratePassword().Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(200)]
    public void GeneratePassword_GivenLength(int length)
    {
        Assert.Equal(length, Secrets.GeneratePassword(length).Length);
    }

    [Fact]
    public void GeneratePassword_UsesOnlyUnambiguousLettersAndDigits()
    {
        var seen = new HashSet<char>();
        for (var i = 0; i < 200; i++)
        {
            var pw = Secrets.GeneratePassword(64);
            Assert.All(pw, c => Assert.Contains(c, Alphabet));
            foreach (var c in pw) seen.Add(c);
        }
        foreach (var ambiguous in "0O1lI") Assert.DoesNotContain(ambiguous, seen);
        // 12800 draws from 57 symbols: every symbol shows up.
        Assert.Equal(Alphabet.Length, seen.Count);
    }

    [Fact]
    public void GeneratePassword_IsUnique()
    {
        var set = new HashSet<string>(Enumerable.Range(0, 1000).Select(_ => Secrets.GeneratePassword()));
        Assert.Equal(1000, set.Count);
    }

    [Fact]
    public void Redact_ReplacesEveryOccurrence()
    {
        Assert.Equal("AUTH ******** then ******** again", Secrets.Redact("AUTH hunter2 then hunter2 again", "hunter2"));
    }

    [Fact]
    public void Redact_IsCaseSensitive()
    {
        Assert.Equal("HUNTER2 ********", Secrets.Redact("HUNTER2 hunter2", "hunter2"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Redact_NoSecret_LeavesTextAlone(string? secret)
    {
        Assert.Equal("nothing to hide", Secrets.Redact("nothing to hide", secret));
    }

    [Fact]
    public void Redact_EmptyText()
    {
        Assert.Equal("", Secrets.Redact("", "pw"));
    }

    [Fact]
    public void Redact_SecretAbsent()
    {
        Assert.Equal("all clear", Secrets.Redact("all clear", "pw-not-here"));
    }
}
