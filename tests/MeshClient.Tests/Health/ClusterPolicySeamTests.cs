using System.Net;
using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Health;

/// <summary>
/// A policy plugged in through <see cref="IClusterPolicyFactory"/> — here a toy ejector: one 5xx
/// takes the endpoint out for 30 s — learns every attempt's outcome from the one reporting path,
/// takes endpoints out through the cluster's single writer, and runs timers on the cluster's clock.
/// </summary>
[Trait("Area", "OutlierDetection")]
public sealed class ClusterPolicySeamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Policy_EjectsOn5xx_TrafficAvoidsTheEndpointUntilItsTimerBringsItBack()
    {
        var time = new FakeTimeProvider();
        var factory = new ToyEjectorFactory();
        var handler = new RecordingHandler((request, _) =>
        {
            request.Options.TryGetValue(MeshHarness.TargetKey, out var target);
            return Task.FromResult(new HttpResponseMessage(target == "10.0.0.1:443" ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK));
        });
        using var harness = new MeshHarness(
            services =>
            {
                services.AddSingleton<TimeProvider>(time);
                services.AddSingleton<IClusterPolicyFactory>(factory);
                services.AddMeshExternalService("api.example.com", s =>
                {
                    MeshHarness.Static(s, 443, "10.0.0.1", "10.0.0.2", "10.0.0.3");
                    s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin; // the test follows the order of picks
                });
            },
            handler);
        var client = harness.CreateClient();

        using (var first = await client.GetAsync("https://api.example.com/", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode); // the upstream's own 503, passed through
        }

        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync("https://api.example.com/", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var cluster = harness.Runtime.GetClusters().Single();
        var ejected = cluster.Endpoints[0];
        Assert.Equal(EndpointUnavailability.Ejected, ejected.Unavailability);
        Assert.DoesNotContain(ejected, cluster.AvailableEndpoints);
        Assert.Equal((1L, 1L), (ejected.Requests, ejected.Failures));
        Assert.Equal(5, factory.Policy!.Seen);

        time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(EndpointUnavailability.None, ejected.Unavailability);
        Assert.Contains(ejected, cluster.AvailableEndpoints);
        harness.Handler.Seen.Clear();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("https://api.example.com/", Ct);
        }

        Assert.Contains("10.0.0.1:443", harness.Handler.Seen.Select(s => s.Target));
    }

    [Fact]
    public async Task Policy_CallerCancellation_IsNotReported()
    {
        var factory = new ToyEjectorFactory();
        var started = new TaskCompletionSource();
        var handler = new RecordingHandler(async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var harness = new MeshHarness(
            services =>
            {
                services.AddSingleton<IClusterPolicyFactory>(factory);
                services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1"));
            },
            handler);
        using var cts = new CancellationTokenSource();

        var call = harness.CreateClient().GetAsync("https://api.example.com/", cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(10), Ct));

        var endpoint = harness.Runtime.GetClusters().Single().Endpoints[0];
        Assert.Equal((1L, 0L, 0L, 0), (endpoint.Requests, endpoint.Successes, endpoint.Failures, endpoint.InFlight));
        Assert.Equal(0, factory.Policy!.Seen);
        Assert.Equal(EndpointUnavailability.None, endpoint.Unavailability);
    }

    [Fact]
    public void Policy_ClusterDisposed_PolicyAndTimersDisposed()
    {
        var factory = new ToyEjectorFactory();
        var time = new FakeTimeProvider();
        var harness = new MeshHarness(services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<IClusterPolicyFactory>(factory);
            services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1"));
        });
        var cluster = harness.Runtime.GetClusters().Single();
        factory.Policy!.Context.SetUnavailable(cluster.Endpoints[0], EndpointUnavailability.Ejected, true);
        factory.Policy.Arm(cluster.Endpoints[0]);

        harness.Dispose();
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.True(factory.Policy.Disposed);
        Assert.Equal(EndpointUnavailability.Ejected, cluster.Endpoints[0].Unavailability); // the timer never fired
    }

    private sealed class ToyEjectorFactory : IClusterPolicyFactory
    {
        public ToyEjector? Policy { get; private set; }

        public IClusterPolicy? Create(ClusterPolicyContext context, IClusterPolicy? existing) =>
            existing ?? (Policy = new ToyEjector(context));
    }

    private sealed class ToyEjector(ClusterPolicyContext context) : IClusterPolicy
    {
        private int _seen;

        public ClusterPolicyContext Context => context;

        public int Seen => Volatile.Read(ref _seen);

        public bool Disposed { get; private set; }

        public void OnAttemptEnded(MeshEndpoint endpoint, in AttemptOutcome outcome)
        {
            Interlocked.Increment(ref _seen);
            if (outcome.IsFailure && context.SetUnavailable(endpoint, EndpointUnavailability.Ejected, true))
            {
                Arm(endpoint);
            }
        }

        public void Arm(MeshEndpoint endpoint) =>
            context.CreateTimer(static state => ((ToyEjector)((object[])state!)[0]).Context.SetUnavailable((MeshEndpoint)((object[])state!)[1], EndpointUnavailability.Ejected, false), new object[] { this, endpoint }, TimeSpan.FromSeconds(30), Timeout.InfiniteTimeSpan);

        public void Dispose() => Disposed = true;
    }
}
