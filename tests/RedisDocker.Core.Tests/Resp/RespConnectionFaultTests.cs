using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RedisDocker.Core.Resp;
using Xunit;

namespace RedisDocker.Core.Tests.Resp;

/// <summary>
/// Network fault injection: a loopback TCP peer that is not Redis (it stays silent, or answers non-RESP bytes).
/// These cover conditions a healthy redis-server cannot produce on demand; Redis behaviour itself is tested
/// against the real server in <see cref="RespConnectionTests"/>.
/// </summary>
public sealed class RespConnectionFaultTests
{
    private sealed class Peer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _clients = new();
        private readonly CancellationTokenSource _stop = new();

        public Peer(byte[]? answer)
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    }
                    catch (Exception)
                    {
                        return;
                    }
                    lock (_clients)
                    {
                        _clients.Add(client);
                    }
                    if (answer is not null)
                    {
                        _ = Task.Run(async () =>
                        {
                            try
                            {
                                var stream = client.GetStream();
                                var buffer = new byte[4096];
                                while (await stream.ReadAsync(buffer, _stop.Token) > 0)
                                {
                                    await stream.WriteAsync(answer, _stop.Token);
                                }
                            }
                            catch (Exception)
                            {
                                // peer shut down
                            }
                        });
                    }
                }
            });
        }

        public int Port { get; }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_clients)
            {
                _clients.ForEach(c => c.Dispose());
            }
        }
    }

    [Fact]
    public async Task TlsHandshake_AgainstSilentPeer_TimesOutAsConnectionException()
    {
        using var peer = new Peer(answer: null);
        var sw = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => RespConnection.ConnectAsync("127.0.0.1", peer.Port,
            new RespConnectionOptions { UseTls = true, ConnectTimeout = TimeSpan.FromMilliseconds(400) }));
        Assert.InRange(sw.ElapsedMilliseconds, 300, 6000);
        Assert.Contains("timed out", ex.Message);
        Assert.Contains($"127.0.0.1:{peer.Port}", ex.Message);
    }

    [Fact]
    public async Task Auth_AgainstSilentPeer_TimesOutAsConnectionException()
    {
        using var peer = new Peer(answer: null);
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => RespConnection.ConnectAsync("127.0.0.1", peer.Port,
            new RespConnectionOptions { Password = "pw-123", CommandTimeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Contains("timed out", ex.Message);
        Assert.DoesNotContain("pw-123", ex.ToString());
    }

    [Fact]
    public async Task NonRespAnswer_IsProtocolError_AndBreaksConnection()
    {
        using var peer = new Peer(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\n\r\n"));
        await using var c = await RespConnection.ConnectAsync("127.0.0.1", peer.Port, new RespConnectionOptions());
        await Assert.ThrowsAsync<RespProtocolException>(() => c.ExecuteAsync("PING"));
        Assert.False(c.IsConnected);
        await Assert.ThrowsAsync<RedisConnectionException>(() => c.ExecuteAsync("PING"));
    }

    [Fact]
    public async Task NonRespAnswer_DuringHandshake_IsConnectionException()
    {
        using var peer = new Peer(Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH_9.2\r\n"));
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => RespConnection.ConnectAsync("127.0.0.1", peer.Port,
            new RespConnectionOptions { Password = "pw-456" }));
        Assert.IsType<RespProtocolException>(ex.InnerException);
        Assert.DoesNotContain("pw-456", ex.ToString());
    }
}
