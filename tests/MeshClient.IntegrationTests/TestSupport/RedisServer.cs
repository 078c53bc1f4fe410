using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MeshClient.IntegrationTests.TestSupport;

/// <summary>
/// A real <c>redis-server</c> on 127.0.0.1 and a free port, without persistence (<c>--save '' --appendonly no</c>),
/// started for one test and stopped with it. Without <c>redis-server</c> the test is skipped with the reason, except
/// under <c>CI=true</c>, where it fails: CI installs it (.ci/run).
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string with short timeouts, so that tests of an outage stay fast.</summary>
    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=1000,asyncTimeout=1000,syncTimeout=1000,connectRetry=0";

    public static async Task<RedisServer> StartAsync()
    {
        var path = Find();
        if (path is null)
        {
            const string Reason = "redis-server is not installed (apt-get install -y redis-server); the fallback cache's Redis tests need it.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(Reason + " CI=true: these tests must run.");
            }

            Assert.Skip(Reason);
        }

        var port = Upstream.DeadPort();
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, port);
        await Upstream.WaitUntilAsync(server.Answers, TimeSpan.FromSeconds(10), "redis-server answers PING");
        return server;
    }

    /// <summary>Stops the server (the outage); idempotent.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string? Find()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/local/bin").Append("/usr/sbin"))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
