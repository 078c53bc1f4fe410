using System.Net;
using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using MeshClient.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Health;

/// <summary>A cluster of <c>10.0.0.1..N:80</c> with outlier detection on a fake clock; attempts are reported straight to the endpoint of choice.</summary>
internal sealed class OutlierTestCluster : IDisposable
{
    public static readonly AttemptOutcome Ok = AttemptOutcome.Response(200, 0, 0);

    public static readonly AttemptOutcome ServerError = AttemptOutcome.Response(500, 0, 0);

    public static readonly AttemptOutcome Unavailable = AttemptOutcome.Response(503, 0, 0);

    public static readonly AttemptOutcome ConnectFailure = AttemptOutcome.LocalFailure(MeshResponseFlags.UpstreamConnectionFailure, 0, 0);

    public static readonly AttemptOutcome LocalTimeout = AttemptOutcome.LocalFailure(MeshResponseFlags.UpstreamRequestTimeout, 0, 0);

    public OutlierTestCluster(int endpoints, Action<OutlierDetectionOptions>? configure = null)
    {
        Options = new OutlierDetectionOptions { MaxEjectionPercent = 100 };
        configure?.Invoke(Options);
        Addresses = Enumerable.Range(1, endpoints).Select(i => $"10.0.0.{i}").ToList();
        Cluster = new Cluster(Definition(), new ClusterServices(Time, pickerFactory: EndpointPickerFactory.Ordered, policyFactories: [new OutlierDetectorFactory()]));
    }

    public FakeTimeProvider Time { get; } = new();

    public OutlierDetectionOptions? Options { get; set; }

    public List<string> Addresses { get; }

    public Cluster Cluster { get; }

    public MeshEndpoint this[int index] => Cluster.Endpoints[index];

    /// <summary>The authorities the picker chooses from, in order.</summary>
    public string[] Available => Cluster.AvailableEndpoints.Select(e => e.Authority).ToArray();

    public bool IsEjected(int index) => this[index].Health.IsEjected;

    public ClusterDefinition Definition() => new(
        new ClusterKey("api.example.com", 80),
        "api.example.com",
        ServiceResolution.Static,
        ServiceProtocol.Http,
        LoadBalancerAlgorithm.RoundRobin,
        null,
        Addresses.Select(a => new EndpointDefinition(IPAddress.Parse(a), 80, 1, null)).ToList(),
        outlierDetection: OutlierDetectionSettings.From(Options));

    /// <summary>Ends <paramref name="times"/> attempts on endpoint <paramref name="index"/> with <paramref name="outcome"/>, through the cluster's one reporting path.</summary>
    public void Report(int index, AttemptOutcome outcome, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            var endpoint = this[index];
            var pool = endpoint.TryStart()!;
            Cluster.EndAttempt(PickResult.For(endpoint), pool, default, outcome);
        }
    }

    /// <summary>
    /// Moves the clock forward one interval at most per step: <see cref="FakeTimeProvider.Advance"/>
    /// fires a periodic timer once per period passed, but every callback sees the final time.
    /// </summary>
    public void Advance(TimeSpan by)
    {
        var step = Options?.Interval ?? by;
        while (by > TimeSpan.Zero)
        {
            var next = by < step ? by : step;
            Time.Advance(next);
            by -= next;
        }
    }

    /// <summary>Applies the current <see cref="Options"/> and <see cref="Addresses"/> as a reload.</summary>
    public void Reload() => Cluster.Update(Definition());

    public void Dispose() => Cluster.Dispose();
}
