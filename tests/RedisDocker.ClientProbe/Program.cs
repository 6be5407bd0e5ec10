using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using StackExchange.Redis;

// Usage (the password comes from the REDIS_PASSWORD environment variable, never from the command line):
//   connect <host:port>                     exit 0 when a TCP connect succeeds within 3 s, 3 when it fails
//   load <configuration> <keys> <stopfile>  writes and reads <keys> keys in rounds until <stopfile> exists
//                                           (at most 5 minutes), then prints one JSON line of figures
//   once <configuration> <keys>             one round with short timeouts (for the negative test)
return args switch
{
    ["connect", var endpoint] => Connect(endpoint),
    ["load", var config, var keys, var stop] => await LoadAsync(config, int.Parse(keys), stop, retries: 40),
    ["once", var config, var keys] => await LoadAsync(config, int.Parse(keys), null, retries: 0),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: connect <host:port> | load <configuration> <keys> <stopfile> | once <configuration> <keys>");
    return 2;
}

static int Connect(string endpoint)
{
    var colon = endpoint.LastIndexOf(':');
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    try
    {
        var task = socket.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..]));
        if (!task.Wait(TimeSpan.FromSeconds(3))) { Console.WriteLine($"connect {endpoint}: timed out"); return 3; }
        Console.WriteLine($"connect {endpoint}: connected");
        return 0;
    }
    catch (AggregateException e)
    {
        Console.WriteLine($"connect {endpoint}: {e.InnerException?.Message}");
        return 3;
    }
}

static async Task<int> LoadAsync(string configuration, int keys, string? stopFile, int retries)
{
    var options = ConfigurationOptions.Parse(configuration);
    options.Password = Environment.GetEnvironmentVariable("REDIS_PASSWORD");
    options.AbortOnConnectFail = false;
    options.ConnectTimeout = retries == 0 ? 2000 : 5000;
    options.SyncTimeout = options.AsyncTimeout = retries == 0 ? 2000 : 5000;
    using var mux = await ConnectionMultiplexer.ConnectAsync(options);
    var db = mux.GetDatabase();
    long writes = 0, reads = 0, errors = 0, mismatches = 0, lost = 0, rounds = 0;
    var firstErrors = new List<string>();
    var perPrimary = new Dictionary<string, int>();
    var clock = Stopwatch.StartNew();
    async Task<T?> Try<T>(Func<Task<T>> op)
    {
        for (var attempt = 0; ; attempt++)
        {
            try { return await op(); }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                errors++;
                if (firstErrors.Count < 5) firstErrors.Add(e.GetType().Name + ": " + e.Message.Split('\n')[0]);
                if (attempt >= retries) return default;
                await Task.Delay(250);
            }
        }
    }
    do
    {
        rounds++;
        for (var i = 0; i < keys; i++)
        {
            var value = $"{rounds}:{i}";
            if (await Try(() => db.StringSetAsync($"k:{i}", value))) writes++;
            else lost++;
            // One round that fails (the negative test): 20 lost keys say enough, each costs a timeout.
            if (stopFile is null && lost >= 20) break;
        }
        for (var i = 0; i < keys && (stopFile is not null || lost == 0); i++)
        {
            var got = await Try(async () => (string?)await db.StringGetAsync($"k:{i}"));
            reads++;
            if (got != $"{rounds}:{i}") mismatches++;
        }
        if (rounds == 1)
        {
            // Which primary holds each key, as the client's own slot map says: the keys span every primary.
            var map = mux.GetServers().First(s => s.IsConnected).ClusterConfiguration;
            for (var i = 0; i < keys; i++)
            {
                var ep = map?.GetBySlot(mux.HashSlot($"k:{i}"))?.EndPoint?.ToString() ?? "?";
                perPrimary[ep] = perPrimary.GetValueOrDefault(ep) + 1;
            }
        }
        Console.Error.WriteLine($"round {rounds} done ({clock.Elapsed.TotalSeconds:0.0} s, {errors} errors)");
    } while (stopFile is not null && !File.Exists(stopFile) && clock.Elapsed < TimeSpan.FromMinutes(5));
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        rounds, writes, reads, errors, mismatches, lost, perPrimary, firstErrors,
        endpoints = mux.GetEndPoints().Select(e => e.ToString()).ToArray(),
        connected = mux.GetServers().Where(s => s.IsConnected).Select(s => s.EndPoint.ToString()).ToArray(),
    }));
    return 0;
}
