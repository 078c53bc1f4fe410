using MeshClient.Configuration;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.LoadBalancing;

/// <summary>The load-balancing settings from appsettings.json (Istio or C# spellings) down to the cluster's picker.</summary>
[Trait("Area", "LoadBalancing")]
public sealed class LoadBalancerConfigurationTests
{
    private const string Service = "Mesh:ExternalServices:0:";

    private static MeshOptions Bind(Dictionary<string, string?> settings)
    {
        settings[Service + "Hosts:0"] = "api.example.com";
        settings[Service + "Resolution"] = "STATIC";
        settings[Service + "Ports:0:Number"] = "80";
        settings[Service + "Ports:0:Name"] = "http";
        settings[Service + "Ports:0:Protocol"] = "HTTP";
        settings[Service + "Endpoints:0:Address"] = "10.0.0.1";
        settings[Service + "Endpoints:1:Address"] = "10.0.0.2";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;
    }

    private static EndpointPicker Picker(MeshOptions options)
    {
        Assert.DoesNotContain(MeshOptionsValidator.Validate(options), d => d.IsError);
        var cluster = Assert.Single(MeshSnapshot.Build(options).Clusters);
        return EndpointPickerFactory.Instance.Create(cluster, PickerTestSupport.Endpoints(1, 1));
    }

    [Fact]
    public void Bind_Nothing_LeastRequestWithEnvoysDefaults()
    {
        var options = Bind([]);

        Assert.Equal(LoadBalancerAlgorithm.Unspecified, options.ExternalServices[0].TrafficPolicy.LoadBalancer.Simple);
        Assert.IsType<LeastRequestPicker>(Picker(options));
        Assert.Equal(LoadBalancerSettings.Default, MeshSnapshot.Build(options).Clusters[0].LoadBalancing);
    }

    [Fact]
    public void Bind_LeastRequestTuning_ReachesTheCluster()
    {
        var options = Bind(new()
        {
            [Service + "TrafficPolicy:LoadBalancer:Simple"] = "LEAST_REQUEST",
            [Service + "TrafficPolicy:LoadBalancer:LeastRequest:ChoiceCount"] = "3",
            [Service + "TrafficPolicy:LoadBalancer:LeastRequest:ActiveRequestBias"] = "0.5",
        });

        var settings = MeshSnapshot.Build(options).Clusters[0].LoadBalancing;
        Assert.Equal((LoadBalancerAlgorithm.LeastRequest, 3, 0.5), (settings.Algorithm, settings.ChoiceCount, settings.ActiveRequestBias));
    }

    [Fact]
    public void Bind_PeakEwma_IstioSpellingAndDurations()
    {
        var options = Bind(new()
        {
            [Service + "TrafficPolicy:LoadBalancer:Simple"] = "PEAK_EWMA",
            [Service + "TrafficPolicy:LoadBalancer:PeakEwma:Decay"] = "00:00:05",
            [Service + "TrafficPolicy:LoadBalancer:PeakEwma:DefaultRtt"] = "00:00:00.010",
        });

        Assert.IsType<PeakEwmaPicker>(Picker(options));
        var settings = MeshSnapshot.Build(options).Clusters[0].LoadBalancing;
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10)), (settings.EwmaDecay, settings.EwmaDefaultRtt));
    }

    [Fact]
    public void Bind_ConsistentHashMaglev_ReachesThePicker()
    {
        var options = Bind(new()
        {
            [Service + "TrafficPolicy:LoadBalancer:ConsistentHash:HttpHeaderName"] = "x-user",
            [Service + "TrafficPolicy:LoadBalancer:ConsistentHash:Maglev:TableSize"] = "251",
        });

        Assert.IsType<MaglevPicker>(Picker(options));
        var settings = MeshSnapshot.Build(options).Clusters[0].LoadBalancing;
        Assert.Equal(new HashKey(HashKeySource.Header, "x-user"), settings.Hash);
        Assert.Equal(251, settings.MaglevTableSize);
    }

    [Fact]
    public void Bind_ConsistentHashRingByCookie_ReachesThePicker()
    {
        var options = Bind(new()
        {
            [Service + "TrafficPolicy:LoadBalancer:ConsistentHash:HttpCookie:Name"] = "session",
            [Service + "TrafficPolicy:LoadBalancer:ConsistentHash:RingHash:MinimumRingSize"] = "64",
        });

        Assert.IsType<RingHashPicker>(Picker(options));
        Assert.Equal(new HashKey(HashKeySource.Cookie, "session"), MeshSnapshot.Build(options).Clusters[0].LoadBalancing.Hash);
    }

    [Fact]
    public void Bind_CookieWithTtlAndPath_ReachTheHashKey()
    {
        var options = Bind(new()
        {
            [Service + "TrafficPolicy:LoadBalancer:ConsistentHash:HttpCookie:Name"] = "affinity",
            [Service + "TrafficPolicy:LoadBalancer:ConsistentHash:HttpCookie:Path"] = "/api",
            [Service + "TrafficPolicy:LoadBalancer:ConsistentHash:HttpCookie:Ttl"] = "01:00:00",
        });

        Assert.IsType<RingHashPicker>(Picker(options));
        var key = MeshSnapshot.Build(options).Clusters[0].LoadBalancing.Hash;
        Assert.Equal(new HashKey(HashKeySource.Cookie, "affinity", "/api", TimeSpan.FromHours(1)), key);
        Assert.True(key!.GeneratesCookie);
    }

    [Fact]
    public void Bind_CookieAttributes_ReachTheHashKeyInOrder()
    {
        var options = Bind(new()
        {
            [Service + "TrafficPolicy:LoadBalancer:ConsistentHash:HttpCookie:Name"] = "affinity",
            [Service + "TrafficPolicy:LoadBalancer:ConsistentHash:HttpCookie:Ttl"] = "01:00:00",
            [Service + "TrafficPolicy:LoadBalancer:ConsistentHash:HttpCookie:Attributes:0:Name"] = "SameSite",
            [Service + "TrafficPolicy:LoadBalancer:ConsistentHash:HttpCookie:Attributes:0:Value"] = "None",
            [Service + "TrafficPolicy:LoadBalancer:ConsistentHash:HttpCookie:Attributes:1:Name"] = "Secure",
        });

        var key = MeshSnapshot.Build(options).Clusters[0].LoadBalancing.Hash;
        Assert.Equal("; SameSite=None; Secure", key!.CookieAttributes);
    }
}
