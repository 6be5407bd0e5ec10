using System.Net;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class ErrorTranslatorTests
{
    private const string Password = "Tr0ub4dor-&-3-horse-battery";
    private static readonly DockerEndpoint Endpoint = DockerEndpoint.Parse("unix:///var/run/docker.sock");

    [Fact]
    public void RedisDockerException_PassesThroughUnchanged()
    {
        var original = new RedisDockerException(ErrorIds.NodeNotFound, "no such node", ErrorKind.ObjectNotFound, "x");
        Assert.Same(original, ErrorTranslator.Translate(original, "other"));
    }

    [Fact]
    public void AggregateWithOneInner_IsUnwrapped()
    {
        var inner = new RedisTimeoutException("PING timed out");
        var r = ErrorTranslator.Translate(new AggregateException(inner), "shop-1");
        Assert.Equal(ErrorIds.Timeout, r.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, r.Kind);
        Assert.Same(inner, r.InnerException);
        Assert.Equal("shop-1", r.Target);
    }

    [Fact]
    public void AggregateWithSeveralInner_IsUnexpected()
    {
        var r = ErrorTranslator.Translate(new AggregateException(new IOException("a"), new IOException("b")));
        Assert.Equal("RedisDocker.UnexpectedError", r.ErrorId);
        Assert.Equal(ErrorKind.NotSpecified, r.Kind);
    }

    [Fact]
    public void DockerUnreachable()
    {
        var e = new DockerUnreachableException(Endpoint, "the socket /var/run/docker.sock does not exist");
        var r = ErrorTranslator.Translate(e, "ignored");
        Assert.Equal(ErrorIds.DockerUnreachable, r.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, r.Kind);
        Assert.Equal(Endpoint.ToString(), r.Target);
        Assert.Equal(e.Message, r.Message);
        Assert.Same(e, r.InnerException);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, ErrorKind.ObjectNotFound)]
    [InlineData(HttpStatusCode.Conflict, ErrorKind.ResourceExists)]
    [InlineData(HttpStatusCode.InternalServerError, ErrorKind.InvalidOperation)]
    [InlineData(HttpStatusCode.BadRequest, ErrorKind.InvalidOperation)]
    public void DockerApiError_ByStatus(HttpStatusCode status, ErrorKind kind)
    {
        var e = new DockerApiException(Endpoint, "POST", "/containers/create", status, "engine says no");
        var r = ErrorTranslator.Translate(e, "shop-1");
        Assert.Equal(ErrorIds.DockerError, r.ErrorId);
        Assert.Equal(kind, r.Kind);
        Assert.Equal("shop-1", r.Target);
        Assert.Contains("engine says no", r.Message);
        Assert.Same(e, r.InnerException);
    }

    [Fact]
    public void OtherDockerException()
    {
        var r = ErrorTranslator.Translate(new DockerException("stream broke"), "n");
        Assert.Equal(ErrorIds.DockerError, r.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, r.Kind);
        Assert.Equal("stream broke", r.Message);
    }

    [Theory]
    [InlineData("WRONGPASS invalid username-password pair or user is disabled.", "WRONGPASS")]
    [InlineData("NOAUTH Authentication required.", "NOAUTH")]
    [InlineData("NOAUTH", "NOAUTH")]
    public void WrongPasswordAndNoAuth_AreWrongPassword(string serverMessage, string prefix)
    {
        var e = new RedisServerException(serverMessage);
        var r = ErrorTranslator.Translate(e, "shop-1");
        Assert.Equal(ErrorIds.WrongPassword, r.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, r.Kind);
        Assert.Equal("shop-1", r.Target);
        Assert.Contains($"({prefix})", r.Message);
        Assert.Same(e, r.InnerException);
    }

    [Fact]
    public void WrongPass_FromAnErrorReply()
    {
        var e = Assert.Throws<RedisServerException>(() => RespValue.FromError("WRONGPASS invalid username-password pair or user is disabled.").ThrowIfError());
        Assert.Equal(ErrorIds.WrongPassword, ErrorTranslator.Translate(e).ErrorId);
    }

    [Fact]
    public void OtherServerError_IsRedisError()
    {
        var e = new RedisServerException("ERR unknown command 'FOO', with args beginning with: ");
        var r = ErrorTranslator.Translate(e, "shop-1");
        Assert.Equal(ErrorIds.RedisError, r.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, r.Kind);
        Assert.Equal(e.Message, r.Message);
    }

    [Fact]
    public void MovedIsRedisErrorNotWrongPassword()
    {
        var r = ErrorTranslator.Translate(new RedisServerException("MOVED 3999 172.28.0.12:6379"));
        Assert.Equal(ErrorIds.RedisError, r.ErrorId);
    }

    [Fact]
    public void Timeout()
    {
        var r = ErrorTranslator.Translate(new RedisTimeoutException("GET did not complete within 5 s"), "shop-1");
        Assert.Equal(ErrorIds.Timeout, r.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, r.Kind);
        Assert.Equal("GET did not complete within 5 s", r.Message);
    }

    [Fact]
    public void ConnectionError_TargetsTheEndpointWhenNoTarget()
    {
        var e = new RedisConnectionException("127.0.0.1:49153", "Could not connect to 127.0.0.1:49153: connection refused.");
        var r = ErrorTranslator.Translate(e);
        Assert.Equal(ErrorIds.NodeNotReachable, r.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, r.Kind);
        Assert.Equal("127.0.0.1:49153", r.Target);
        Assert.StartsWith(e.Message, r.Message);
        Assert.Contains("Get-RedisNode", r.Message);

        Assert.Equal("shop-1", ErrorTranslator.Translate(e, "shop-1").Target);
    }

    [Fact]
    public void ProtocolError_IsInvalidData()
    {
        var r = ErrorTranslator.Translate(new RespProtocolException("Unexpected byte 'x'"));
        Assert.Equal(ErrorIds.RedisError, r.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, r.Kind);
    }

    [Fact]
    public void PlainTimeoutException()
    {
        var r = ErrorTranslator.Translate(new TimeoutException("waited too long"));
        Assert.Equal(ErrorIds.Timeout, r.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, r.Kind);
    }

    [Fact]
    public void ArgumentException_IsInvalidArgument()
    {
        var r = ErrorTranslator.Translate(new ArgumentOutOfRangeException("count", "must be positive"), "x");
        Assert.Equal("RedisDocker.InvalidArgument", r.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, r.Kind);
        Assert.Equal("x", r.Target);
    }

    [Fact]
    public void Anything_Else_IsUnexpected()
    {
        var e = new InvalidOperationException("boom");
        var r = ErrorTranslator.Translate(e);
        Assert.Equal("RedisDocker.UnexpectedError", r.ErrorId);
        Assert.Equal(ErrorKind.NotSpecified, r.Kind);
        Assert.Equal("boom", r.Message);
        Assert.Same(e, r.InnerException);
    }

    [Fact]
    public void TranslatedMessages_NeverContainThePassword()
    {
        // Failures around authentication, as the client raises them while a password is in play.
        var failures = new Exception[]
        {
            new RedisServerException("WRONGPASS invalid username-password pair or user is disabled."),
            new RedisServerException("NOAUTH Authentication required."),
            new RedisServerException("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"),
            new RedisConnectionException("127.0.0.1:49153", "AUTH on 127.0.0.1:49153 failed: connection reset"),
            new RedisTimeoutException("HELLO did not complete within 5 s"),
            new AggregateException(new RedisServerException("WRONGPASS invalid username-password pair or user is disabled.")),
        };
        foreach (var f in failures)
        {
            var r = ErrorTranslator.Translate(f, "shop-1");
            Assert.DoesNotContain(Password, r.Message);
            Assert.DoesNotContain(Password, r.ToString());
        }
        var wrong = ErrorTranslator.Translate(failures[0]);
        Assert.DoesNotContain("********", wrong.Message); // nothing to redact: the message never had it
        Assert.Contains("-Password", wrong.Message);
    }
}
