using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using MeshClient.Tests.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static MeshClient.Tests.LoadBalancing.PickerTestSupport;

namespace MeshClient.Tests.LoadBalancing;

/// <summary>Slow start (Istio <c>warmup</c>, Envoy <c>slow_start_config</c>, ISTIO-SEMANTICS.md §3.2 E-SLOW).</summary>
[Trait("Area", "LoadBalancing")]
public sealed class SlowStartPickerTests
{
    private static readonly SlowStartSettings Window60 = new(TimeSpan.FromSeconds(60), 10, 1.0);

    private static MeshEndpoint Joined(MeshEndpoint endpoint, FakeTimeProvider time, TimeSpan ago) =>
        new(endpoint.Definition, new HttpMessageInvoker(new TestSupport.RecordingHandler()))
        {
            JoinedTimestamp = time.GetTimestamp() - (long)(ago.TotalSeconds * time.TimestampFrequency),
        };

    private static SlowStartPicker Picker(MeshEndpoint[] endpoints, FakeTimeProvider time, SlowStartSettings? settings = null, int seed = 5) =>
        new(endpoints, new RoundRobinPicker(endpoints), settings ?? Window60, time, new Random(seed), 0);

    [Theory]
    [InlineData(0, 1.0, 0.1)] // max(1 s, elapsed) / 60 = 0.017, below the 10 % floor
    [InlineData(30, 1.0, 0.5)]
    [InlineData(59, 1.0, 59 / 60.0)]
    [InlineData(60, 1.0, 1.0)] // out of the window
    [InlineData(15, 2.0, 0.5)] // (15 / 60)^(1/2)
    public void Factor_EnvoysFormula(int seconds, double aggression, double expected)
    {
        var time = new FakeTimeProvider();
        var picker = Picker(Endpoints(1, 1), time, Window60 with { Aggression = aggression });

        Assert.Equal(expected, picker.Factor((long)(seconds * time.TimestampFrequency)), 6);
    }

    [Fact]
    public void Pick_NewEndpointHalfwayThroughTheWindow_GetsAThirdOfTheTraffic()
    {
        var time = new FakeTimeProvider();
        var endpoints = Endpoints(1, 1);
        var picker = Picker([Joined(endpoints[0], time, TimeSpan.FromMinutes(5)), Joined(endpoints[1], time, TimeSpan.FromSeconds(30))], time);

        var shares = Shares(picker, 30_000);

        Assert.Equal(2 / 3.0, shares[0], 0.02); // weights 1 and 0.5
        Assert.Equal(1 / 3.0, shares[1], 0.02);
    }

    [Fact]
    public void Pick_AsTimePasses_TheShareGrows_ThenTheWrappedPolicyDecides()
    {
        var time = new FakeTimeProvider();
        var endpoints = Endpoints(1, 1);
        var picker = Picker([Joined(endpoints[0], time, TimeSpan.FromMinutes(5)), Joined(endpoints[1], time, TimeSpan.Zero)], time);

        var early = Shares(picker, 20_000)[1];
        time.Advance(TimeSpan.FromSeconds(45));
        var later = Shares(picker, 20_000)[1];
        time.Advance(TimeSpan.FromSeconds(15));
        var after = Shares(picker, 1_000)[1];

        Assert.Equal(0.1 / 1.1, early, 0.02); // the 10 % floor
        Assert.Equal(0.75 / 1.75, later, 0.02);
        Assert.Equal(0.5, after); // round robin, exactly alternating
    }

    [Fact]
    public void Pick_EveryEndpointNew_EqualShares_AsEnvoy()
    {
        var time = new FakeTimeProvider();
        var endpoints = Endpoints(1, 1, 1);
        var picker = Picker([.. endpoints.Select(e => Joined(e, time, TimeSpan.FromSeconds(10)))], time);

        Assert.All(Shares(picker, 30_000), share => Assert.Equal(1 / 3.0, share, 0.02));
    }

    [Fact]
    public void Pick_LeastRequest_TheLoadStillCounts()
    {
        var time = new FakeTimeProvider();
        var endpoints = Endpoints(1, 1);
        var warmed = Joined(endpoints[0], time, TimeSpan.FromMinutes(5));
        var warming = Joined(endpoints[1], time, TimeSpan.FromSeconds(30));
        MeshEndpoint[] set = [warmed, warming];
        var picker = new SlowStartPicker(set, new LeastRequestPicker(set, new Random(1)), Window60, time, new Random(3), 1.0);
        Load(warmed, 1); // weight 1 / (1 + 1) = 0.5, the same as the warming endpoint's 0.5 / 1

        var shares = Shares(picker, 30_000);

        Assert.Equal(0.5, shares[0], 0.02);
    }

    [Theory]
    [InlineData(LoadBalancerAlgorithm.RoundRobin, true)]
    [InlineData(LoadBalancerAlgorithm.LeastRequest, true)]
    [InlineData(LoadBalancerAlgorithm.Unspecified, true)]
    [InlineData(LoadBalancerAlgorithm.Random, false)]
    public void Factory_WrapsRoundRobinAndLeastRequestOnly(LoadBalancerAlgorithm algorithm, bool wrapped)
    {
        var settings = LoadBalancerSettings.From(new LoadBalancerOptions { Simple = algorithm, Warmup = new WarmupOptions { Duration = TimeSpan.FromSeconds(30) } });

        Assert.Equal(wrapped, settings.SlowStart is not null);
        var hashed = LoadBalancerSettings.From(new LoadBalancerOptions { ConsistentHash = new ConsistentHashOptions { HttpHeaderName = "x-user" }, Warmup = new WarmupOptions { Duration = TimeSpan.FromSeconds(30) } });
        Assert.Null(hashed.SlowStart);
    }

    [Fact]
    public void Cluster_EndpointAddedByAReload_JoinsNow_KeptEndpointsKeepTheirTime()
    {
        using var cluster = new OutlierTestCluster(2);
        var first = cluster[0].JoinedTimestamp;
        cluster.Time.Advance(TimeSpan.FromMinutes(2));

        cluster.Addresses.Add("10.0.0.3");
        cluster.Reload();

        Assert.Equal(first, cluster[0].JoinedTimestamp);
        Assert.Equal(cluster.Time.GetTimestamp(), cluster[2].JoinedTimestamp);
    }

    [Fact]
    public void Validate_Warmup_IstioRules_WithFieldPaths()
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");
        service.Resolution = ServiceResolution.Static;
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
        service.TrafficPolicy.LoadBalancer = new LoadBalancerOptions
        {
            Simple = LoadBalancerAlgorithm.Random,
            Warmup = new WarmupOptions { MinimumPercent = 120, Aggression = 0.5 },
        };
        var options = new MeshOptions();
        options.ExternalServices.Add(service);

        var findings = MeshOptionsValidator.Validate(options);

        const string Prefix = "External service 'api.example.com': trafficPolicy.loadBalancer.warmup";
        Assert.Equal(
            [
                Prefix + ".duration is required and must be positive (was '0s').",
                Prefix + ".minimumPercent must be between 0 and 100 (was 120).",
                Prefix + ".aggression must be at least 1 (was 0.5).",
            ],
            findings.Where(f => f.IsError).Select(f => f.Message));
        Assert.Contains(Prefix + " applies to ROUND_ROBIN and LEAST_REQUEST only; it is ignored for RANDOM.", findings.Where(f => !f.IsError).Select(f => f.Message));
    }

    [Fact]
    public void BindConfiguration_Warmup_Binds()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            { "Mesh": { "ExternalServices": [ { "Hosts": [ "api.example.com" ], "TrafficPolicy": { "LoadBalancer": {
                "Simple": "ROUND_ROBIN", "Warmup": { "Duration": "00:01:30", "MinimumPercent": 20, "Aggression": 1.5 } } } } ] } }
            """u8.ToArray())).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var warmup = provider.GetRequiredService<IOptions<MeshOptions>>().Value.ExternalServices[0].TrafficPolicy.LoadBalancer!.Warmup!;

        Assert.Equal((TimeSpan.FromSeconds(90), 20.0, 1.5), (warmup.Duration, warmup.MinimumPercent, warmup.Aggression));
    }
}
