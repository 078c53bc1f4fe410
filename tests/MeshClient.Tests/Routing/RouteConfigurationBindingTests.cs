using MeshClient.Configuration;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.Routing;

[Trait("Area", "Routing")]
public sealed class RouteConfigurationBindingTests
{
    /// <summary>A service with two labelled endpoints, subsets v1/v2 and two routes, under <paramref name="prefix"/>.</summary>
    private static Dictionary<string, string?> Settings(string prefix) => new()
    {
        [prefix + "Resolution"] = "STATIC",
        [prefix + "Ports:0:Number"] = "443",
        [prefix + "Ports:0:Name"] = "https",
        [prefix + "Ports:0:Protocol"] = "HTTPS",
        [prefix + "Endpoints:0:Address"] = "10.0.0.1",
        [prefix + "Endpoints:0:Labels:version"] = "v1",
        [prefix + "Endpoints:1:Address"] = "10.0.0.2",
        [prefix + "Endpoints:1:Labels:version"] = "v2",
        [prefix + "Subsets:0:Name"] = "v1",
        [prefix + "Subsets:0:Labels:version"] = "v1",
        [prefix + "Subsets:1:Name"] = "v2",
        [prefix + "Subsets:1:Labels:version"] = "v2",
        [prefix + "Subsets:1:TrafficPolicy:LoadBalancer:Simple"] = "RANDOM",
        [prefix + "Http:0:Name"] = "beta",
        [prefix + "Http:0:Match:0:Headers:x-beta:Exact"] = "1",
        [prefix + "Http:0:Match:1:Uri:Prefix"] = "/beta/",
        [prefix + "Http:0:Rewrite:Uri"] = "/",
        [prefix + "Http:0:Route:0:Destination:Host"] = "api.example.com",
        [prefix + "Http:0:Route:0:Destination:Subset"] = "v2",
        [prefix + "Http:0:Headers:Request:Set:x-route"] = "beta",
        [prefix + "Http:0:Timeout"] = "00:00:02",
        [prefix + "Http:1:Route:0:Destination:Host"] = "api.example.com",
        [prefix + "Http:1:Route:0:Destination:Subset"] = "v1",
        [prefix + "Http:1:Route:0:Weight"] = "80",
        [prefix + "Http:1:Route:1:Destination:Host"] = "api.example.com",
        [prefix + "Http:1:Route:1:Destination:Subset"] = "v2",
        [prefix + "Http:1:Route:1:Weight"] = "20",
        [prefix + "Http:1:Route:1:Destination:Port:Number"] = "443",
    };

    private static void AssertBound(ExternalServiceOptions service)
    {
        Assert.Equal(["v1", "v2"], service.Subsets.Select(s => s.Name));
        Assert.Equal("v2", service.Subsets[1].Labels["version"]);
        Assert.Equal(LoadBalancerAlgorithm.Random, service.Subsets[1].TrafficPolicy!.LoadBalancer.Simple);
        Assert.Equal(2, service.Http.Count);
        var beta = service.Http[0];
        Assert.Equal("beta", beta.Name);
        Assert.Equal("1", beta.Match[0].Headers["x-beta"].Exact);
        Assert.Equal("/beta/", beta.Match[1].Uri!.Prefix);
        Assert.Equal("/", beta.Rewrite!.Uri);
        Assert.Equal("beta", beta.Headers!.Request!.Set["x-route"]);
        Assert.Equal(TimeSpan.FromSeconds(2), beta.Timeout);
        Assert.Equal([80, 20], service.Http[1].Route.Select(r => r.Weight!.Value));
        Assert.Equal(443, service.Http[1].Route[1].Destination!.Port!.Number);
    }

    [Fact]
    public async Task BindConfiguration_RoutesAndSubsets_BindAndRoute()
    {
        var settings = Settings("Mesh:ExternalServices:0:");
        settings["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var harness = MeshHarness.BoundTo(configuration);

        var options = harness.Services.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;
        Assert.Empty(options.SourceDiagnostics);
        AssertBound(Assert.Single(options.ExternalServices));

        using var beta = await harness.GetAsync("https://api.example.com/beta/users");
        Assert.Equal("outbound|443|v2|api.example.com", beta.GetMeshResult()!.Cluster);
        Assert.Equal("https://api.example.com/users", harness.Handler.Seen[^1].Uri.AbsoluteUri);

        var clusters = new List<string?>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await harness.GetAsync("https://api.example.com/");
            clusters.Add(response.GetMeshResult()!.Cluster);
        }

        Assert.Equal(8, clusters.Count(c => c == "outbound|443|v1|api.example.com"));
        Assert.Equal(2, clusters.Count(c => c == "outbound|443|v2|api.example.com"));
    }

    [Fact]
    public void AddMeshExternalService_FromConfiguration_BindsRoutesAndSubsets()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings("Services:Api:")).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMeshExternalService("api.example.com", configuration.GetSection("Services:Api"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;

        Assert.Empty(options.SourceDiagnostics);
        AssertBound(Assert.Single(options.ExternalServices));
        Assert.DoesNotContain(MeshOptionsValidator.Validate(options), d => d.IsError);
    }

    [Fact]
    public async Task BindConfiguration_RedirectPrefixRewriteAndDerivePort_BindAndRedirect()
    {
        var settings = Settings("Mesh:ExternalServices:0:");
        settings["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com";
        settings.Remove("Mesh:ExternalServices:0:Http:0:Rewrite:Uri");
        settings.Remove("Mesh:ExternalServices:0:Http:0:Route:0:Destination:Host");
        settings.Remove("Mesh:ExternalServices:0:Http:0:Route:0:Destination:Subset");
        settings.Remove("Mesh:ExternalServices:0:Http:0:Headers:Request:Set:x-route");
        settings.Remove("Mesh:ExternalServices:0:Http:0:Timeout");
        settings["Mesh:ExternalServices:0:Http:0:Redirect:PrefixRewrite"] = "/gamma/";
        settings["Mesh:ExternalServices:0:Http:0:Redirect:DerivePort"] = "FROM_REQUEST_PORT"; // Istio's spelling, as for every enum
        settings["Mesh:ExternalServices:0:Http:0:Redirect:Scheme"] = "http";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var harness = MeshHarness.BoundTo(configuration);

        var options = harness.Services.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;
        Assert.Empty(options.SourceDiagnostics);
        var redirect = options.ExternalServices[0].Http[0].Redirect!;
        Assert.Equal(("/gamma/", RedirectPortSelection.FromRequestPort), (redirect.PrefixRewrite, redirect.DerivePort));

        using var response = await harness.GetAsync("https://api.example.com/beta/users?id=1");
        Assert.Equal(System.Net.HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(new Uri("http://api.example.com:443/gamma/users?id=1"), response.Headers.Location);
    }

    [Fact]
    public void BindConfiguration_SubsetLoadBalancerWrongSpelling_ReportedWithTheKey()
    {
        var settings = Settings("Mesh:ExternalServices:0:");
        settings["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com";
        settings["Mesh:ExternalServices:0:Subsets:1:TrafficPolicy:LoadBalancer:Simple"] = "RANDOMLY";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;

        var error = Assert.Single(options.SourceDiagnostics);
        Assert.StartsWith("Configuration section 'Mesh': Mesh:ExternalServices:0:Subsets:1:TrafficPolicy:LoadBalancer:Simple: 'RANDOMLY' is not a valid", error.Message, StringComparison.Ordinal);
    }
}
