using System.Net;
using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using MeshClient.Runtime;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.LoadBalancing;

/// <summary>A picker plugged in through <see cref="IEndpointPickerFactory"/> sees the request and learns each attempt's outcome.</summary>
[Trait("Area", "LoadBalancing")]
public sealed class PickerSeamTests
{
    [Fact]
    public async Task Pick_FakePolicy_SeesTheRequestAndItsTrackerLearnsTheOutcome()
    {
        var time = new FakeTimeProvider();
        var factory = new LastEndpointPickerFactory();
        var handler = new RecordingHandler((_, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(250)); // the upstream takes 250 ms
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Accepted));
        });
        using var harness = new MeshHarness(
            services =>
            {
                services.AddSingleton<TimeProvider>(time);
                services.AddSingleton<IEndpointPickerFactory>(factory);
                services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1", "10.0.0.2", "10.0.0.3"));
            },
            handler);

        using var response = await harness.CreateClient().GetAsync("https://api.example.com/items", TestContext.Current.CancellationToken);

        Assert.Equal("10.0.0.3:443", Assert.Single(harness.Handler.Seen).Target);
        Assert.Equal("10.0.0.3:443", response.GetMeshResult()!.Endpoint);
        var picked = Assert.Single(factory.Requests);
        Assert.Equal(new Uri("https://api.example.com/items"), picked.Request);
        Assert.Null(picked.TriedCount); // a first attempt carries no tried set
        Assert.Equal(1, factory.Tracker.Started);
        var outcome = Assert.Single(factory.Tracker.Ended);
        Assert.Equal((202, AttemptOutcomeKind.Response), (outcome.StatusCode, outcome.Kind));
        Assert.Equal(TimeSpan.FromMilliseconds(250), outcome.Elapsed(time));
    }

    [Fact]
    public void StartAttempt_EndpointAlreadyTried_IsRedrawn()
    {
        using var cluster = new Cluster(Definition("10.0.0.1", "10.0.0.2"), new ClusterServices(pickerFactory: EndpointPickerFactory.Ordered));
        var tried = new TriedEndpoints();
        tried.Add(cluster.Endpoints[0]);

        // Round robin's next pick is 10.0.0.1; this request already went there (Envoy previous_hosts).
        var pick = cluster.StartAttempt(new PickContext(null, tried), out var pool, out var admission);

        Assert.Equal("10.0.0.2:80", pick.Endpoint!.Authority);
        cluster.EndAttempt(pick, pool!, admission, AttemptTestExtensions.Ok);
    }

    [Fact]
    public void StartAttempt_EveryEndpointTried_StillPicks()
    {
        using var cluster = new Cluster(Definition("10.0.0.1"), new ClusterServices(pickerFactory: EndpointPickerFactory.Ordered));
        var tried = new TriedEndpoints();
        tried.Add(cluster.Endpoints[0]);

        var pick = cluster.StartAttempt(new PickContext(null, tried), out var pool, out var admission);

        Assert.Equal("10.0.0.1:80", pick.Endpoint!.Authority);
        cluster.EndAttempt(pick, pool!, admission, AttemptTestExtensions.Ok);
    }

    [Fact]
    public void RoundRobin_Production_StartsAtARandomPosition()
    {
        var firsts = new HashSet<string>();
        for (var i = 0; i < 64; i++)
        {
            using var cluster = new Cluster(Definition("10.0.0.1", "10.0.0.2", "10.0.0.3"));
            firsts.Add(cluster.Picker.Pick()!.Authority);
        }

        // Starting at endpoint 0 every time would skew traffic on each reload; 64 random starts miss one of 3 with p < 1e-11.
        Assert.Equal(3, firsts.Count);
    }

    private static ClusterDefinition Definition(params string[] addresses) =>
        new(
            new ClusterKey("api.example.com", 80),
            "api.example.com",
            ServiceResolution.Static,
            ServiceProtocol.Http,
            LoadBalancerAlgorithm.RoundRobin,
            null,
            addresses.Select(a => new EndpointDefinition(IPAddress.Parse(a), 80, 1, null)).ToArray());

    private sealed class LastEndpointPickerFactory : IEndpointPickerFactory
    {
        public List<(Uri? Request, int? TriedCount)> Requests { get; } = [];

        public RecordingTracker Tracker { get; } = new();

        public EndpointPicker Create(ClusterDefinition definition, MeshEndpoint[] available) => new LastEndpointPicker(available, this);
    }

    /// <summary>Always the last endpoint, with one shared tracker: a policy that needs no lock and allocates nothing.</summary>
    private sealed class LastEndpointPicker(MeshEndpoint[] endpoints, LastEndpointPickerFactory owner) : EndpointPicker(endpoints)
    {
        public override PickResult Pick(in PickContext context)
        {
            lock (owner.Requests)
            {
                owner.Requests.Add((context.Request?.RequestUri, context.Tried?.Count));
            }

            return Endpoints.Length == 0 ? PickResult.None : PickResult.For(Endpoints[^1], owner.Tracker);
        }
    }

    private sealed class RecordingTracker : IAttemptTracker
    {
        private int _started;

        public int Started => Volatile.Read(ref _started);

        public List<AttemptOutcome> Ended { get; } = [];

        public void OnStarted() => Interlocked.Increment(ref _started);

        public void OnEnded(in AttemptOutcome outcome)
        {
            lock (Ended)
            {
                Ended.Add(outcome);
            }
        }
    }
}
