using System.Collections.Concurrent;
using System.Net;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using MeshClient.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Health;

/// <summary>How a simulated endpoint answers its health checks.</summary>
internal enum CheckAnswer
{
    Ok,
    Unavailable,
    Hang,
    Refuse,
}

/// <summary>
/// A cluster of <c>10.0.0.1..N:80</c> for <c>api.example.com</c> with active health checks (and,
/// optionally, outlier detection) on a fake clock; each endpoint's checks are answered in memory as
/// <see cref="Answers"/> says, and every check request is recorded.
/// </summary>
internal sealed class ActiveHealthTestCluster : IDisposable
{
    private readonly Queue<double> _randoms = new();

    public ActiveHealthTestCluster(int endpoints, Action<HealthCheckOptions>? configure = null, OutlierDetectionOptions? outlier = null, ServiceProtocol protocol = ServiceProtocol.Http, double[]? randoms = null)
    {
        QueueRandom(randoms ?? []);
        Protocol = protocol;
        Options = new HealthCheckOptions
        {
            Interval = TimeSpan.FromSeconds(10),
            IntervalJitter = TimeSpan.Zero,
            Timeout = TimeSpan.FromSeconds(2),
            Http = new HttpHealthCheckOptions { Path = "/healthz" },
        };
        configure?.Invoke(Options);
        Outlier = outlier;
        Addresses = Enumerable.Range(1, endpoints).Select(i => $"10.0.0.{i}").ToList();
        foreach (var address in Addresses)
        {
            Answers[address + ":80"] = CheckAnswer.Ok;
        }

        var handlers = new ClusterHandlerFactory((_, target) => new Responder(this, target));
        Cluster = new Cluster(Definition(), new ClusterServices(
            Time,
            handlers,
            EndpointPickerFactory.Ordered,
            [new OutlierDetectorFactory(), new ActiveHealthCheckerFactory(TcpConnectAsync, NextRandom)]));
    }

    public FakeTimeProvider Time { get; } = new();

    public ServiceProtocol Protocol { get; }

    public HealthCheckOptions? Options { get; set; }

    public OutlierDetectionOptions? Outlier { get; set; }

    public List<string> Addresses { get; }

    public Cluster Cluster { get; }

    /// <summary>What each endpoint (<c>10.0.0.1:80</c>) answers now.</summary>
    public ConcurrentDictionary<string, CheckAnswer> Answers { get; } = new();

    /// <summary>Every check sent: the endpoint it went to and the request.</summary>
    public ConcurrentQueue<(string Endpoint, HttpRequestMessage Request)> Checks { get; } = new();

    /// <summary>Checks that were cancelled while they hung.</summary>
    public int Cancelled => Volatile.Read(ref _cancelled);

    public MeshEndpoint this[int index] => Cluster.Endpoints[index];

    public string[] Available => Cluster.AvailableEndpoints.Select(e => e.Authority).ToArray();

    public ActiveHealthChecker? Checker => Cluster.FindPolicy<ActiveHealthChecker>();

    private int _cancelled;

    /// <summary>The next values the checker's random source returns (0 when empty).</summary>
    public void QueueRandom(params double[] values)
    {
        foreach (var value in values)
        {
            _randoms.Enqueue(value);
        }
    }

    public int ChecksTo(int index) => Checks.Count(c => c.Endpoint == Addresses[index] + ":80");

    public void Answer(int index, CheckAnswer answer) => Answers[Addresses[index] + ":80"] = answer;

    public ClusterDefinition Definition()
    {
        var key = new ClusterKey("api.example.com", Protocol == ServiceProtocol.Https ? 443 : 80);
        return new ClusterDefinition(
            key,
            "api.example.com",
            ServiceResolution.Static,
            Protocol,
            LoadBalancerAlgorithm.RoundRobin,
            null,
            Addresses.Select(a => new EndpointDefinition(IPAddress.Parse(a), 80, 1, null)).ToList(),
            outlierDetection: OutlierDetectionSettings.From(Outlier))
        {
            HealthCheck = HealthCheckSettings.From(Options, key.Host, key.Port, Protocol),
        };
    }

    /// <summary>
    /// Moves the clock in steps of at most <paramref name="step"/> (default 1 ms): <see cref="FakeTimeProvider.Advance"/>
    /// fires every timer due with the final time, so a check rescheduled inside a long step would start late.
    /// </summary>
    public void Advance(TimeSpan by, TimeSpan? step = null)
    {
        var size = step ?? TimeSpan.FromMilliseconds(1);
        while (by > TimeSpan.Zero)
        {
            var next = by < size ? by : size;
            Time.Advance(next);
            by -= next;
        }
    }

    public void Reload() => Cluster.Update(Definition());

    public void Dispose() => Cluster.Dispose();

    private double NextRandom() => _randoms.Count > 0 ? _randoms.Dequeue() : 0;

    private ValueTask TcpConnectAsync(MeshEndpoint endpoint, CancellationToken cancellationToken)
    {
        Checks.Enqueue((endpoint.Authority, new HttpRequestMessage()));
        return Answers[endpoint.Authority] switch
        {
            CheckAnswer.Ok or CheckAnswer.Unavailable => ValueTask.CompletedTask,
            CheckAnswer.Hang => new ValueTask(HangAsync(cancellationToken)),
            _ => ValueTask.FromException(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)),
        };
    }

    private Task HangAsync(CancellationToken cancellationToken)
    {
        var hung = new TaskCompletionSource();
        cancellationToken.Register(() =>
        {
            Interlocked.Increment(ref _cancelled);
            hung.TrySetCanceled(cancellationToken);
        });
        return hung.Task;
    }

    private sealed class Responder(ActiveHealthTestCluster cluster, UpstreamTarget target) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var endpoint = target.Resolve(request.RequestUri!.IdnHost, request.RequestUri.Port).ToString()!;
            cluster.Checks.Enqueue((endpoint, request));
            switch (cluster.Answers[endpoint])
            {
                case CheckAnswer.Ok:
                    return new HttpResponseMessage(HttpStatusCode.OK);
                case CheckAnswer.Unavailable:
                    return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
                case CheckAnswer.Hang:
                    await cluster.HangAsync(cancellationToken);
                    throw new InvalidOperationException("unreachable");
                default:
                    throw new HttpRequestException("Connection refused", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
            }
        }
    }
}
