using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Tests.Resp;

/// <summary>
/// A real redis-server child process on 127.0.0.1 and a free port, killed on Dispose.
/// The binary is $REDIS_SERVER, /usr/bin/redis-server, or redis-server on PATH.
/// </summary>
public sealed class RedisServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private RedisServerProcess(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts redis-server with the given extra arguments; <paramref name="portArgument"/> is "--port" or "--tls-port".</summary>
    public static RedisServerProcess Start(IEnumerable<string> extraArgs, string portArgument = "--port", string? directory = null)
    {
        string binary = FindBinary();
        directory ??= CreateTempDirectory();
        var args = extraArgs.ToList();
        Exception? last = null;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            int port = GetFreePort();
            var startInfo = new ProcessStartInfo(binary)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory,
            };
            startInfo.ArgumentList.Add(portArgument);
            startInfo.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (portArgument != "--port")
            {
                startInfo.ArgumentList.Add("--port");
                startInfo.ArgumentList.Add("0");
            }
            foreach (var a in new[] { "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", directory })
            {
                startInfo.ArgumentList.Add(a);
            }
            foreach (var a in args)
            {
                startInfo.ArgumentList.Add(a);
            }

            var process = new Process { StartInfo = startInfo };
            var server = new RedisServerProcess(process, port, directory);
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            DataReceivedEventHandler onLine = (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }
                lock (server._log)
                {
                    server._log.AppendLine(e.Data);
                }
                if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            };
            process.OutputDataReceived += onLine;
            process.ErrorDataReceived += onLine;
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var deadline = Stopwatch.StartNew();
            while (!ready.Task.IsCompleted && !process.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                ready.Task.Wait(50);
            }
            if (ready.Task.IsCompleted)
            {
                return server;
            }
            last = new InvalidOperationException($"redis-server did not start on port {port}:\n{server.Log}");
            server.Kill();
        }
        throw last!;
    }

    public static int GetFreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static string CreateTempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "resp-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    public static string RandomSecret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static string FindBinary()
    {
        var fromEnv = Environment.GetEnvironmentVariable("REDIS_SERVER");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv))
        {
            return fromEnv;
        }
        if (File.Exists("/usr/bin/redis-server"))
        {
            return "/usr/bin/redis-server";
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("redis-server not found: install it (apt-get install redis-server) or set REDIS_SERVER.");
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }

    public void Dispose()
    {
        Kill();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

/// <summary>A password-protected server with DEBUG enabled, shared by a test class.</summary>
public sealed class RedisFixture : IDisposable
{
    public RedisFixture()
    {
        Password = RedisServerProcess.RandomSecret();
        Server = RedisServerProcess.Start(new[] { "--requirepass", Password, "--enable-debug-command", "yes" });
    }

    public RedisServerProcess Server { get; }

    public string Password { get; }

    public int Port => Server.Port;

    public RespConnectionOptions Options(int protocol = 2, TimeSpan? commandTimeout = null) => new()
    {
        Password = Password,
        Protocol = protocol,
        CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(10),
    };

    public Task<RespConnection> ConnectAsync(int protocol = 2, TimeSpan? commandTimeout = null) =>
        RespConnection.ConnectAsync("127.0.0.1", Port, Options(protocol, commandTimeout));

    public void Dispose() => Server.Dispose();
}
