using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MeshClient.IntegrationTests.TestSupport;

/// <summary>
/// A real forward proxy for the tests: its own tinyproxy process with a generated configuration,
/// listening on a free 127.0.0.1 port and accepting only 127.0.0.1, stopped on dispose. Without
/// tinyproxy installed the test is skipped, except under <c>CI=true</c>, where it fails.
/// </summary>
internal sealed class TinyProxy : IDisposable
{
    private static readonly string[] Candidates = ["/usr/bin/tinyproxy", "/usr/sbin/tinyproxy", "/usr/local/bin/tinyproxy"];
    private readonly Process _process;
    private readonly string _directory;

    private TinyProxy(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Address => FormattableString.Invariant($"http://127.0.0.1:{Port}");

    /// <summary>The proxy's log (it names every request line it received: <c>GET http://…</c>, <c>CONNECT host:port</c>).</summary>
    public string Log
    {
        get
        {
            var path = Path.Combine(_directory, "tinyproxy.log");
            if (!File.Exists(path))
            {
                return string.Empty;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Starts tinyproxy allowing <c>CONNECT</c> to <paramref name="connectPorts"/>, with Basic authentication when <paramref name="basicAuth"/> is set.</summary>
    public static async Task<TinyProxy> StartAsync(int[] connectPorts, (string User, string Password)? basicAuth = null)
    {
        var binary = Array.Find(Candidates, File.Exists);
        if (binary is null)
        {
            const string Reason = "tinyproxy is not installed (apt-get install -y tinyproxy): the egress proxy tests need a real forward proxy on loopback.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(Reason + " CI=true: .ci/run installs it.");
            }

            Assert.Skip(Reason);
        }

        var directory = Directory.CreateTempSubdirectory("meshclient-tinyproxy-").FullName;
        var port = Upstream.DeadPort();
        var config = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Port {port}")
            .AppendLine("Listen 127.0.0.1")
            .AppendLine("Allow 127.0.0.1")
            .AppendLine("Timeout 30")
            .AppendLine("MaxClients 50")
            .AppendLine("LogLevel Info")
            .AppendLine("DisableViaHeader Yes")
            .AppendLine(CultureInfo.InvariantCulture, $"LogFile \"{Path.Combine(directory, "tinyproxy.log")}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"PidFile \"{Path.Combine(directory, "tinyproxy.pid")}\"");
        foreach (var connectPort in connectPorts)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"ConnectPort {connectPort}");
        }

        if (basicAuth is { } auth)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"BasicAuth {auth.User} {auth.Password}");
        }

        var configPath = Path.Combine(directory, "tinyproxy.conf");
        await File.WriteAllTextAsync(configPath, config.ToString());
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "-d", "-c", configPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        var proxy = new TinyProxy(process, directory, port);
        try
        {
            await Upstream.WaitUntilAsync(() => process.HasExited || Accepts(port), TimeSpan.FromSeconds(15), "tinyproxy listening on 127.0.0.1:" + port);
            if (process.HasExited)
            {
                throw new InvalidOperationException($"tinyproxy exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()} {proxy.Log}");
            }
        }
        catch
        {
            proxy.Dispose();
            throw;
        }

        return proxy;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // best effort: a temp directory
            }
        }
    }
}
