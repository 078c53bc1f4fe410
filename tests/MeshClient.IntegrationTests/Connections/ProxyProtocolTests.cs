using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Connections;

/// <summary>
/// DestinationRule <c>trafficPolicy.proxyProtocol</c>: a front on 127.0.0.1 that, like a server configured
/// to accept the PROXY protocol, reads the header first, records it, and then passes the connection on to
/// a Kestrel upstream.
/// </summary>
[Trait("Area", "ConnectionPool")]
public sealed class ProxyProtocolTests
{
    private const string Host = "api.example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MeshHost Mesh(ProxyProtocolFront front, ProxyProtocolVersion version) => new(services => services.AddMeshExternalService(Host, s =>
    {
        s.Resolution = ServiceResolution.Static;
        s.Ports.Add(new ServicePortOptions(front.Port, "http", ServiceProtocol.Http));
        s.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1"));
        s.TrafficPolicy.ProxyProtocol = new ProxyProtocolOptions { Version = version };
    }));

    [Fact]
    public async Task V1_TheHeaderComesFirst_WithTheConnectionsOwnAddresses()
    {
        await using var backend = await Upstream.StartAsync("backend");
        await using var front = ProxyProtocolFront.Start(backend.Port);
        using var mesh = Mesh(front, ProxyProtocolVersion.V1);

        Assert.Equal("backend", await mesh.CreateClient().GetStringAsync($"http://{Host}:{front.Port}/", Ct));

        var (header, client) = Assert.Single(front.Headers);
        Assert.Equal($"PROXY TCP4 127.0.0.1 127.0.0.1 {client.Port} {front.Port}\r\n", Encoding.ASCII.GetString(header));
        Assert.Equal($"{Host}:{front.Port}", Assert.Single(backend.Hosts));
    }

    [Fact]
    public async Task V2_BinaryHeader_ThenTheRequest()
    {
        await using var backend = await Upstream.StartAsync("backend");
        await using var front = ProxyProtocolFront.Start(backend.Port);
        using var mesh = Mesh(front, ProxyProtocolVersion.V2);

        Assert.Equal("backend", await mesh.CreateClient().GetStringAsync($"http://{Host}:{front.Port}/", Ct));

        var (header, client) = Assert.Single(front.Headers);
        Assert.Equal(28, header.Length); // 16 + two IPv4 addresses and ports
        Assert.Equal((0x21, 0x11), (header[12], header[13]));
        Assert.Equal(client.Port, (header[24] << 8) | header[25]);
        Assert.Equal(front.Port, (header[26] << 8) | header[27]);
    }

    [Fact]
    public async Task TcpHealthChecks_SendTheHeaderToo()
    {
        await using var backend = await Upstream.StartAsync("backend");
        await using var front = ProxyProtocolFront.Start(backend.Port);
        using var mesh = new MeshHost(services => services.AddMeshExternalService(Host, s =>
        {
            s.Resolution = ServiceResolution.Static;
            s.Ports.Add(new ServicePortOptions(front.Port, "http", ServiceProtocol.Http));
            s.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1"));
            s.TrafficPolicy.ProxyProtocol = new ProxyProtocolOptions { Version = ProxyProtocolVersion.V1 };
            s.HealthCheck = new HealthCheckOptions { Interval = TimeSpan.FromMilliseconds(100), Tcp = new TcpHealthCheckOptions() };
        }));
        _ = mesh.Runtime; // the checks start with the runtime

        await Upstream.WaitUntilAsync(() => front.Headers.Count >= 2, TimeSpan.FromSeconds(10), "two TCP health checks through the front");

        Assert.All(front.Headers, h => Assert.StartsWith("PROXY TCP4 127.0.0.1 127.0.0.1 ", Encoding.ASCII.GetString(h.Header), StringComparison.Ordinal));
    }

    /// <summary>Reads a PROXY header (v1 line or v2 binary) from each accepted connection, then pipes it to the backend.</summary>
    private sealed class ProxyProtocolFront : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly int _backendPort;
        private Task _accepting = Task.CompletedTask;

        private ProxyProtocolFront(int backendPort) => _backendPort = backendPort;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public ConcurrentQueue<(byte[] Header, IPEndPoint Client)> Headers { get; } = new();

        public static ProxyProtocolFront Start(int backendPort)
        {
            var front = new ProxyProtocolFront(backendPort);
            front._listener.Start();
            front._accepting = front.AcceptAsync();
            return front;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting.ContinueWith(static _ => { }, TaskScheduler.Default);
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            using (var backend = new TcpClient())
            {
                var stream = client.GetStream();
                Headers.Enqueue((await ReadHeaderAsync(stream, _stop.Token), (IPEndPoint)client.Client.RemoteEndPoint!));
                await backend.ConnectAsync(IPAddress.Loopback, _backendPort, _stop.Token);
                var upstream = backend.GetStream();
                await Task.WhenAny(stream.CopyToAsync(upstream, _stop.Token), upstream.CopyToAsync(stream, _stop.Token));
            }
        }

        private static async Task<byte[]> ReadHeaderAsync(NetworkStream stream, CancellationToken cancellationToken)
        {
            var start = new byte[16];
            await stream.ReadExactlyAsync(start, cancellationToken);
            if (start[0] == (byte)'P')
            {
                var line = new List<byte>(start);
                while (line[^1] != (byte)'\n')
                {
                    var one = new byte[1];
                    await stream.ReadExactlyAsync(one, cancellationToken);
                    line.Add(one[0]);
                }

                return [.. line];
            }

            var rest = new byte[(start[14] << 8) | start[15]];
            await stream.ReadExactlyAsync(rest, cancellationToken);
            return [.. start, .. rest];
        }
    }
}
