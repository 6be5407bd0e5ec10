// Over 400 lines on purpose: one connection's whole protocol state (handshake, pipelining, timeouts, faults).
using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace RedisDocker.Core.Resp;

/// <summary>
/// One connection to a Redis server speaking RESP2 or RESP3. Calls are serialized (one command or pipeline on the
/// wire at a time); concurrent callers wait their turn. Any I/O failure, timeout, cancellation during I/O or protocol
/// error leaves the connection broken (<see cref="IsConnected"/> false): it must then be disposed and replaced.
/// RESP3 push messages (<c>&gt;</c>) are skipped, so subscriber mode is not supported.
/// </summary>
public sealed class RespConnection : IAsyncDisposable, IDisposable
{
    private const int InitialReadBufferSize = 16 * 1024;
    private const int MaxReadBufferSize = 64 * 1024 * 1024; // longest single RESP line accepted
    private const int DirectReadThreshold = 4 * 1024;
    private const int MaxRetainedWriteBuffer = 1024 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly TimeSpan _commandTimeout;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly RespParser _parser = new();
    private ArrayBufferWriter<byte> _writeBuffer = new(1024);
    private byte[] _readBuffer = new byte[InitialReadBufferSize];
    private int _readStart;
    private int _readEnd;
    private volatile bool _broken;
    private volatile bool _disposed;

    private RespConnection(Socket socket, Stream stream, string endpoint, RespConnectionOptions options)
    {
        _socket = socket;
        _stream = stream;
        Endpoint = endpoint;
        _commandTimeout = options.CommandTimeout;
        Protocol = 2;
    }

    /// <summary>The endpoint as "host:port".</summary>
    public string Endpoint { get; }

    /// <summary>False once disposed or after an I/O failure, timeout, cancellation during I/O or protocol
    /// error.</summary>
    public bool IsConnected => !_broken && !_disposed;

    /// <summary>The RESP version negotiated at connect (2, or 3 after a successful <c>HELLO 3</c>).</summary>
    public int Protocol { get; private set; }

    /// <summary>
    /// Connects (bounded by <see cref="RespConnectionOptions.ConnectTimeout"/>), optionally wraps in TLS, then
    /// authenticates (AUTH, or HELLO 3 with AUTH) and sets the client name.
    /// Throws <see cref="RedisConnectionException"/> when the server cannot be reached, the TCP connect or TLS
    /// handshake times out or fails, or the handshake commands time out or get a non-RESP answer;
    /// <see cref="RedisServerException"/> (Prefix WRONGPASS, NOAUTH, ERR, ...) when AUTH or HELLO is rejected; and
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static async Task<RespConnection> ConnectAsync(string host, int port, RespConnectionOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        string endpoint = FormatEndpoint(host, port);
        var (socket, stream) = await OpenStreamAsync(host, port, endpoint, options, cancellationToken)
            .ConfigureAwait(false);
        var connection = new RespConnection(socket, stream, endpoint, options);
        try
        {
            await connection.HandshakeAsync(options, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (RedisTimeoutException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new RedisConnectionException(endpoint,
                $"Could not connect to {endpoint}: the handshake timed out. {ex.Message}", ex);
        }
        catch (RespProtocolException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new RedisConnectionException(endpoint, $"Could not connect to {endpoint}: the server did not answer "
                + $"in the Redis protocol ({ex.Message})", ex);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<(Socket, Stream)> OpenStreamAsync(string host, int port, string endpoint,
        RespConnectionOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CreateTimeoutSource(options.ConnectTimeout, cancellationToken);
        var token = timeout.Token;
        Socket? socket = null;
        Stream? stream = null;
        string stage = "connect";
        try
        {
            IPAddress[] addresses = IPAddress.TryParse(host, out var literal)
                ? new[] { literal }
                : await Dns.GetHostAddressesAsync(host, token).ConfigureAwait(false);
            if (addresses.Length == 0)
            {
                throw new RedisConnectionException(endpoint,
                    $"Could not connect to {endpoint}: the host name resolved to no address.");
            }

            Exception? last = null;
            foreach (var address in addresses)
            {
                var candidate = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
                {
                    NoDelay = true,
                };
                try
                {
                    await candidate.ConnectAsync(new IPEndPoint(address, port), token).ConfigureAwait(false);
                    socket = candidate;
                    break;
                }
                catch (SocketException ex)
                {
                    candidate.Dispose();
                    last = ex;
                }
                catch
                {
                    candidate.Dispose();
                    throw;
                }
            }
            if (socket is null)
            {
                throw last!;
            }
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);

            stream = new NetworkStream(socket, ownsSocket: true);
            if (options.UseTls)
            {
                stage = "TLS handshake";
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = options.TlsServerName ?? host,
                    ClientCertificates = options.TlsClientCertificates,
                    RemoteCertificateValidationCallback = options.TlsCertificateValidation,
                }, token).ConfigureAwait(false);
            }
            return (socket, stream);
        }
        catch (Exception ex)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            socket?.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException($"Connecting to {endpoint} was cancelled.", ex, cancellationToken);
            }
            if (ex is RedisConnectionException)
            {
                throw;
            }
            if (token.IsCancellationRequested)
            {
                throw new RedisConnectionException(endpoint,
                    $"Could not connect to {endpoint}: timed out after {options.ConnectTimeout.TotalMilliseconds:0} ms "
                    + $"({stage}).", ex);
            }
            throw new RedisConnectionException(endpoint, $"Could not connect to {endpoint}: {Describe(ex, stage)}", ex);
        }
    }

    private async Task HandshakeAsync(RespConnectionOptions options, CancellationToken cancellationToken)
    {
        if (options.Protocol == 3)
        {
            var hello = new List<object> { "HELLO", 3 };
            if (options.Password is not null)
            {
                hello.Add("AUTH");
                hello.Add(options.User ?? "default");
                hello.Add(options.Password);
            }
            await ExecuteAsync(hello, cancellationToken).ConfigureAwait(false);
            Protocol = 3;
        }
        else if (options.Password is not null)
        {
            var auth = options.User is null
                ? new object[] { "AUTH", options.Password }
                : new object[] { "AUTH", options.User, options.Password };
            await ExecuteAsync(auth, cancellationToken).ConfigureAwait(false);
        }

        if (options.ClientName is not null)
        {
            try
            {
                await ExecuteAsync(new object[] { "CLIENT", "SETNAME", options.ClientName }, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (RedisServerException)
            {
                // An invalid name (spaces, ...) or a forbidden command is not worth failing the connection.
            }
        }
    }

    /// <summary>
    /// Sends one command and returns its reply. Arguments are encoded as described in
    /// <see cref="RespWriter.EncodeCommand"/>.
    /// An error reply throws <see cref="RedisServerException"/> (the connection stays usable).
    /// </summary>
    public Task<RespValue> ExecuteAsync(string command, params object[] args)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        args ??= Array.Empty<object>();
        var commandAndArgs = new object[args.Length + 1];
        commandAndArgs[0] = command;
        args.CopyTo(commandAndArgs, 1);
        return ExecuteAsync(commandAndArgs, CancellationToken.None);
    }

    /// <summary>
    /// Sends one command (name then arguments) and returns its reply. An error reply throws
    /// <see cref="RedisServerException"/>; a timeout throws <see cref="RedisTimeoutException"/> and cancellation
    /// <see cref="OperationCanceledException"/> (both break the connection if the command was already sent);
    /// I/O failures throw <see cref="RedisConnectionException"/>.
    /// </summary>
    public async Task<RespValue> ExecuteAsync(IReadOnlyList<object> commandAndArgs,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commandAndArgs);
        var replies = await RoundTripAsync(new[] { commandAndArgs }, cancellationToken).ConfigureAwait(false);
        return replies[0].ThrowIfError();
    }

    /// <summary>
    /// Sends one command and returns its reply as it came: an error reply is a value of kind
    /// <see cref="RespKind.Error"/> (MOVED, ASK, READONLY... are for the caller to act on), not an exception.
    /// Timeouts, cancellation and I/O failures throw as in
    /// <see cref="ExecuteAsync(IReadOnlyList{object}, CancellationToken)"/>.
    /// </summary>
    public async Task<RespValue> SendAsync(IReadOnlyList<object> commandAndArgs,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commandAndArgs);
        var replies = await RoundTripAsync(new[] { commandAndArgs }, cancellationToken).ConfigureAwait(false);
        return replies[0];
    }

    /// <summary>
    /// Sends all commands in one write, then reads their replies in order. Error replies are returned as values of kind
    /// <see cref="RespKind.Error"/>, not thrown. The whole pipeline is bounded by one command timeout.
    /// </summary>
    public async Task<IReadOnlyList<RespValue>> PipelineAsync(IReadOnlyList<IReadOnlyList<object>> commands,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        if (commands.Count == 0)
        {
            return Array.Empty<RespValue>();
        }
        return await RoundTripAsync(commands, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RespValue[]> RoundTripAsync(IReadOnlyList<IReadOnlyList<object>> commands,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfBroken();
        cancellationToken.ThrowIfCancellationRequested();
        string name = CommandName(commands);

        using var timeout = CreateTimeoutSource(_commandTimeout, cancellationToken);
        var token = timeout.Token;
        try
        {
            await _gate.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RedisTimeoutException(
                $"{name} on {Endpoint} timed out after {_commandTimeout.TotalMilliseconds:0} ms waiting for the "
                + "connection (busy).");
        }

        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ThrowIfBroken();

            // Encode before touching the stream: a bad argument must not break the connection.
            if (_writeBuffer.Capacity > MaxRetainedWriteBuffer)
            {
                _writeBuffer = new ArrayBufferWriter<byte>(1024);
            }
            else
            {
                _writeBuffer.Clear();
            }
            foreach (var command in commands)
            {
                RespWriter.WriteCommand(_writeBuffer, command);
            }

            var replies = new RespValue[commands.Count];
            try
            {
                await _stream.WriteAsync(_writeBuffer.WrittenMemory, token).ConfigureAwait(false);
                await _stream.FlushAsync(token).ConfigureAwait(false);
                for (int i = 0; i < replies.Length; i++)
                {
                    replies[i] = await ReadReplyAsync(token).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                Break();
                if (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(
                        $"{name} on {Endpoint} was cancelled; the connection has been closed.", ex, cancellationToken);
                }
                if (token.IsCancellationRequested)
                {
                    throw new RedisTimeoutException(
                        $"{name} on {Endpoint} timed out after {_commandTimeout.TotalMilliseconds:0} ms; "
                        + "the connection has been closed.");
                }
                if (ex is RespProtocolException or RedisConnectionException)
                {
                    throw;
                }
                if (ex is IOException or SocketException or ObjectDisposedException or AuthenticationException)
                {
                    throw new RedisConnectionException(Endpoint, $"{name} on {Endpoint} failed: {Describe(ex, "I/O")}",
                        ex);
                }
                throw;
            }
            return replies;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<RespValue> ReadReplyAsync(CancellationToken token)
    {
        while (true)
        {
            if (_readEnd > _readStart)
            {
                bool complete = _parser.TryRead(_readBuffer.AsSpan(_readStart, _readEnd - _readStart), out int consumed,
                    out var value);
                _readStart += consumed;
                if (_readStart == _readEnd)
                {
                    _readStart = _readEnd = 0;
                }
                if (complete)
                {
                    if (value!.Kind == RespKind.Push)
                    {
                        continue; // out-of-band RESP3 push (e.g. client tracking invalidation): not a reply
                    }
                    return value;
                }
            }

            int read;
            var pending = _parser.PendingBulk;
            if (_readStart == _readEnd && pending.Length >= DirectReadThreshold)
            {
                // Large bulk string: read straight into its final array.
                read = await _stream.ReadAsync(pending, token).ConfigureAwait(false);
                ThrowIfEndOfStream(read);
                _parser.AdvanceBulk(read);
                continue;
            }

            if (_readStart > 0)
            {
                Buffer.BlockCopy(_readBuffer, _readStart, _readBuffer, 0, _readEnd - _readStart);
                _readEnd -= _readStart;
                _readStart = 0;
            }
            if (_readEnd == _readBuffer.Length)
            {
                if (_readBuffer.Length >= MaxReadBufferSize)
                {
                    throw new RespProtocolException(
                        $"A RESP line from {Endpoint} is longer than {MaxReadBufferSize} bytes.");
                }
                Array.Resize(ref _readBuffer, Math.Min(_readBuffer.Length * 2, MaxReadBufferSize));
            }
            read = await _stream.ReadAsync(_readBuffer.AsMemory(_readEnd), token).ConfigureAwait(false);
            ThrowIfEndOfStream(read);
            _readEnd += read;
        }
    }

    private void ThrowIfEndOfStream(int read)
    {
        if (read == 0)
        {
            throw new RedisConnectionException(Endpoint, $"The connection to {Endpoint} was closed by the server.");
        }
    }

    private void ThrowIfBroken()
    {
        if (_broken)
        {
            throw new RedisConnectionException(Endpoint, $"The connection to {Endpoint} is broken (after an earlier "
                + "failure, timeout or cancellation); open a new one.");
        }
    }

    private void Break()
    {
        _broken = true;
        CloseTransport();
    }

    private void CloseTransport()
    {
        try
        {
            _stream.Dispose();
        }
        catch (Exception)
        {
            // Closing a failed stream may throw again; the socket is disposed below either way.
        }
        _socket.Dispose();
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        CloseTransport();
    }

    /// <summary>Closes the connection.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>"RespConnection(host:port)" with its state.</summary>
    public override string ToString() =>
        $"RespConnection({Endpoint}, RESP{Protocol}, {(IsConnected ? "connected" : "closed")})";

    private static CancellationTokenSource CreateTimeoutSource(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan && timeout.TotalMilliseconds < int.MaxValue)
        {
            source.CancelAfter(timeout);
        }
        return source;
    }

    private static string CommandName(IReadOnlyList<IReadOnlyList<object>> commands)
    {
        if (commands.Count != 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Pipeline of {commands.Count} commands");
        }
        var command = commands[0];
        return command is { Count: > 0 } && command[0] is string s && s.Length <= 32 ? s.ToUpperInvariant() : "Command";
    }

    private static string FormatEndpoint(string host, int port) =>
        host.Contains(':') && !host.StartsWith('[')
            ? string.Create(CultureInfo.InvariantCulture, $"[{host}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");

    private static string Describe(Exception ex, string stage)
    {
        var socketError = ex as SocketException ?? ex.InnerException as SocketException;
        if (socketError is not null)
        {
            return socketError.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused.",
                SocketError.TimedOut => "timed out.",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found.",
                SocketError.ConnectionReset => "connection reset by the server.",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable.",
                _ => $"{socketError.SocketErrorCode} ({socketError.Message}).",
            };
        }
        return ex is AuthenticationException ? $"{stage} failed: {ex.Message}" : $"{ex.GetType().Name}: {ex.Message}";
    }
}
