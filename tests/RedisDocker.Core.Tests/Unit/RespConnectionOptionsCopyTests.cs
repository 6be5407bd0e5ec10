using System.Net.Security;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Security;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>Issue 12: TLS options are a copy of the caller's options with TLS added; no setting is dropped on the way
/// (every settable property is set here by reflection, so a property added later is covered too).</summary>
public class RespConnectionOptionsCopyTests
{
    private static readonly string[] TlsProperties =
    {
        nameof(RespConnectionOptions.UseTls), nameof(RespConnectionOptions.TlsCertificateValidation),
        nameof(RespConnectionOptions.TlsClientCertificates),
    };

    private static IEnumerable<PropertyInfo> Settable() =>
        typeof(RespConnectionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic);

    /// <summary>A value unlike the default of the property's type; a type not known here fails the test (extend
    /// it with the new property's type).</summary>
    private static object Distinct(PropertyInfo p) => p.PropertyType switch
    {
        var t when t == typeof(string) => "set-" + p.Name,
        var t when t == typeof(bool) => true,
        var t when t == typeof(int) => 3,
        var t when t == typeof(TimeSpan) => TimeSpan.FromMilliseconds(1234),
        var t when t == typeof(RemoteCertificateValidationCallback) =>
            new RemoteCertificateValidationCallback((_, _, _, _) => true),
        var t when t == typeof(X509CertificateCollection) => new X509CertificateCollection(),
        _ => throw new InvalidOperationException(
            $"RespConnectionOptions.{p.Name} has a type ({p.PropertyType}) this test cannot set: extend Distinct."),
    };

    private static RespConnectionOptions AllSet()
    {
        var o = new RespConnectionOptions();
        foreach (var p in Settable())
        {
            var v = Distinct(p);
            Assert.NotEqual(p.GetValue(new RespConnectionOptions()), v);
            p.SetValue(o, v);
        }
        return o;
    }

    [Fact]
    public void TheTlsCopyKeepsEverySettingItDoesNotSet()
    {
        Assert.True(Settable().Count() >= 10);
        var original = AllSet();
        using var ca = CertificateAuthority.Create("copy");
        using var client = ca.IssueClient("c", TimeSpan.FromHours(1));
        var tls = TlsStore.WithTls(original, ca, client);
        Assert.NotSame(original, tls);
        foreach (var p in Settable().Where(p => !TlsProperties.Contains(p.Name)))
            Assert.True(Equals(p.GetValue(original), p.GetValue(tls)), $"{p.Name} was not copied.");
        Assert.True(tls.UseTls);
        Assert.Same(client, Assert.Single(tls.TlsClientCertificates!.Cast<X509Certificate>()));
        Assert.NotSame(original.TlsCertificateValidation, tls.TlsCertificateValidation);
        // The caller's options are left as they were.
        Assert.Empty(original.TlsClientCertificates!);
    }

    [Fact]
    public void ARecordCopyCopiesEverySettableProperty()
    {
        var original = AllSet();
        var copy = original with { };
        foreach (var p in Settable())
            Assert.True(ReferenceEquals(p.GetValue(original), p.GetValue(copy))
                || Equals(p.GetValue(original), p.GetValue(copy)), $"{p.Name} was not copied.");
        Assert.DoesNotContain("set-" + nameof(RespConnectionOptions.Password), copy.ToString());
    }
}
